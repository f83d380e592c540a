//go:build !linux

package media

import (
	"errors"
	"time"
)

// lockRealtime is Linux only: elsewhere the clock runs on Go timers.
func lockRealtime(int) (func(), error) { return nil, errors.ErrUnsupported }

func sleepThread(d time.Duration) { time.Sleep(d) }
