//go:build !(linux || darwin || freebsd || dragonfly || aix || openbsd || netbsd || solaris || illumos || windows)

package recorder

import "errors"

// freeBytes cannot tell here; Retention.Room then always has room.
func freeBytes(string) (int64, error) { return 0, errors.New("free space unknown on this system") }
