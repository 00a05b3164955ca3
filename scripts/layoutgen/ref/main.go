package main

func main() { println("layout reference") }
