module gosymbench

go 1.21
