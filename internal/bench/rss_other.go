//go:build !unix

package main

import "os"

// maxRSS is 0: this system reports no maxrss in a process's usage.
func maxRSS(*os.ProcessState) int64 { return 0 }
