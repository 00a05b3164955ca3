module gosymfuncs

go 1.21
