// Package retry waits between attempts of a call that may succeed if made
// again: a random, growing while, cut short by the caller's cancellation.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Wait sleeps before attempt number attempt+1: a random while below a ceiling
// that doubles from 2 ms with each attempt, up to 200 ms. It returns the
// context's error if the caller goes away first.
func Wait(ctx context.Context, attempt int) error {
	ceiling := min(time.Duration(1<<min(attempt, 8))*time.Millisecond, 200*time.Millisecond)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(rand.Int64N(int64(ceiling)) + 1)):
		return nil
	}
}
