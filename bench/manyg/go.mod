module example.com/manyg

go 1.19
