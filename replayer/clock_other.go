//go:build !linux

package replayer

import "time"

// sleepFine sleeps for d with time.Sleep. Only Linux gets a nanosleep here
// (darwin's syscall package has none, and the other systems need none):
// elsewhere the runtime itself waits for a timer with a finer timeout than
// on Linux, so the fine clock's last stretch is served by the runtime's
// timers, and replay lateness is the system's timer slack. On macOS and the
// BSDs the runtime waits in kevent with a nanosecond timeout, which macOS
// may defer by its timer coalescing (expect tens of microseconds, up to
// about a millisecond on a busy or battery-saving Mac); on Windows it waits
// on a high-resolution waitable timer (100 ns units; expect well under a
// millisecond, about a millisecond at worst). These figures are the
// systems' documented behaviour, not measurements: the project's machines
// run Linux only, where the nanosleep path is measured
// (BenchmarkTiming).
func sleepFine(d time.Duration) { time.Sleep(d) }
