//go:build go1.23

package main

import (
	"context"
	"iter"
)

// coro drives an iter.Pull iterator: the runtime switches goroutines with
// coroswitch, which Go 1.23+ traces as GoSwitch / GoSwitchDestroy.
func coro(ctx context.Context) {
	next, stop := iter.Pull(func(yield func(int) bool) {
		for i := 0; i < 8; i++ {
			if !yield(i) {
				return
			}
		}
	})
	for {
		if _, ok := next(); !ok {
			break
		}
	}
	stop()
	_ = ctx
}
