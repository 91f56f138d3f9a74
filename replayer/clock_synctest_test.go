package replayer

import (
	"testing"
	"testing/synctest"
	"time"
)

// Under testing/synctest the fine clock waits on the fake clock: its
// nanosleep alone would spin, since fake time moves only while every
// goroutine of the bubble is blocked on it (replayertest relies on this).
func TestFineClockUnderSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c fineClock
		start := time.Now()
		<-c.at(start.Add(1500 * time.Microsecond))
		if d := time.Since(start); d < 1500*time.Microsecond || d > 1700*time.Microsecond {
			t.Errorf("woke after %v of fake time, want 1.5ms (within a slice)", d)
		}
		synctest.Wait() // the clock's goroutine has returned
	})
}
