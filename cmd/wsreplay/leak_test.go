package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the tests, or, when a test starts this binary again with
// WSREPLAY_TEST_MAIN=1, the command itself: tests that need wsreplay in a
// process of its own (to kill it with -9, say) use that.
func TestMain(m *testing.M) {
	if os.Getenv("WSREPLAY_TEST_MAIN") == "1" {
		os.Args = append([]string{"wsreplay"}, os.Args[1:]...)
		main()
		return
	}
	goleak.VerifyTestMain(m)
}
