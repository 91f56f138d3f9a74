//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos)

package recorder

import "os"

// lockFile is a no-op where flock is not known: leftovers are then never
// taken for unattended files (it reports false), so nothing of a running
// recorder is touched.
func lockFile(f *os.File) bool { return false }
