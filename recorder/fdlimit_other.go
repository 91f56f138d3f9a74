//go:build !unix

package recorder

// DefaultMaxOpenFiles is QueueOptions.MaxOpenFiles when zero. Windows has
// no per-process limit on open files that a program can read; a fixed
// bound keeps recording from taking an unbounded number of handles.
func DefaultMaxOpenFiles() int { return fallbackMaxOpenFiles }
