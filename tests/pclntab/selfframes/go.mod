module selfframes

go 1.15
