//go:build !unix

package s3store

import "io/fs"

// ours reports whether a spool file is one this recorder may have made.
// Windows has no owner a program reads this way; a spool's ACL is its
// guard there.
func ours(fs.FileInfo) bool { return true }
