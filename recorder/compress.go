package recorder

import (
	"bufio"
	"os"
	"path/filepath"

	"github.com/wsreplay/wsreplay/format"
)

// When a session ends in directory mode, its .partial file, already in its
// final compression, is handed to one background worker, which syncs it and
// renames it to its final name, then syncs the directory. A plain .partial
// file that an earlier release (or a recorder with --compress none) left is
// compressed to its final name: temp file, fsync, rename, fsync the
// directory.

type finishJob struct{ id, partial, final string }

// compressFinished turns the plain files of ended sessions into their final
// files, one at a time.
func (s *dirStore) compressFinished() {
	defer close(s.done)
	s.finishLeftovers()
	for j := range s.jobs {
		err := s.finalize(j)
		if err == nil {
			s.stats.filesInPlace.Add(1)
		}
		if err != nil {
			s.log.Error("finishing the recording failed; the .partial file holds it", "session", j.id, "file", j.partial, "err", err)
		}
	}
}

// finalize puts a finished session's file in place: renamed, if it is in
// its final compression; compressed under a temporary name, synced, renamed
// into place, and the plain one removed, if it is a plain one.
func (s *dirStore) finalize(j finishJob) error {
	if j.partial == j.final+format.PartialSuffix {
		if err := syncFile(j.partial); err != nil {
			return err
		}
		if err := os.Rename(j.partial, j.final); err != nil {
			return err
		}
		syncDir(s.dir)
		return nil
	}
	src, err := os.OpenFile(j.partial, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return err
	}
	defer src.Close()
	// An unpredictable name, created exclusively (0600): nobody can plant
	// a link there for us to write through.
	dst, err := os.CreateTemp(s.dir, "."+filepath.Base(j.final)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := dst.Name()
	lockFile(dst) // a recorder starting on the directory leaves it alone
	err = format.Compress(dst, bufio.NewReaderSize(src, 64<<10), format.CompressionForName(j.final))
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, j.final)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	os.Remove(j.partial)
	syncDir(s.dir)
	return nil
}
