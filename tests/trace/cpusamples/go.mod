module cpusamples

go 1.21
