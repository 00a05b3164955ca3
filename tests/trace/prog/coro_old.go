//go:build !go1.23

package main

import "context"

// coro: iter.Pull (coroutine switches) arrived in Go 1.23.
func coro(ctx context.Context) {}
