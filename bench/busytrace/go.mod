module gortbench/busytrace

go 1.22
