//go:build !unix

package replayer

import "time"

// sleepFine sleeps for d; without nanosleep, as precisely as time.Sleep.
func sleepFine(d time.Duration) { time.Sleep(d) }
