package main

import (
	"fmt"
	"path/filepath"
)

// writable reports whether the recorder can write where --out says.
func writable(out string, toFile bool) error {
	target := out
	if toFile {
		target = filepath.Dir(out)
	}
	if err := canWrite(target); err != nil {
		return fmt.Errorf("%s is not writable: %v", target, err)
	}
	return nil
}
