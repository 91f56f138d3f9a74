//go:build unix

package recorder

import "syscall"

// DefaultMaxOpenFiles is QueueOptions.MaxOpenFiles when zero: a quarter of
// the process's limit on open files (RLIMIT_NOFILE, which the Go runtime
// raises to its hard limit at start), at least 16, so that three quarters
// stay for the connections recording sits in.
func DefaultMaxOpenFiles() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 || rl.Cur > 1<<30 {
		return fallbackMaxOpenFiles
	}
	return max(16, int(rl.Cur/4))
}
