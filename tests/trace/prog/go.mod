module gorttraceprog

go 1.22
