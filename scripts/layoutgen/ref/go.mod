module layoutref

go 1.15
