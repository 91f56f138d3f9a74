//go:build !unix

package recorder

// noFollow is 0 where open has no such flag; O_EXCL still refuses any
// existing name, links included.
const noFollow = 0
