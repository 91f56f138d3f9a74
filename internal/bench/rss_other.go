//go:build !unix

package main

import (
	"os"
	"time"
)

// maxRSS is 0: this system reports no maxrss in a process's usage.
func maxRSS(*os.ProcessState) int64 { return 0 }

// selfCPU is 0: not measured on this system.
func selfCPU() time.Duration { return 0 }
