module layoutgen

go 1.21
