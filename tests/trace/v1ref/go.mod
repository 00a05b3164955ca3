module v1ref

go 1.21
