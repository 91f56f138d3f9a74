package recorder

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Retention keeps a recording directory (NewDirSink's) within bounds, for
// a recorder that runs for days. Finished session files are deleted when
// older than MaxAge, and oldest first (by start time, which their names
// begin with) while all of them together pass MaxSize; a running session's
// .partial file and temporary files are never touched. Room tells the Proxy
// whether free space is above MinFree.
//
// The zero value of each limit is no limit. Set the fields before Run and do
// not change them after; Room and Stats are safe for concurrent use.
type Retention struct {
	// Dir is the recording directory. Required.
	Dir string
	// MaxAge deletes finished files modified longer ago than this.
	MaxAge time.Duration
	// MaxSize bounds the bytes of finished files in Dir.
	MaxSize int64
	// MinFree is the free space on Dir's file system below which Room
	// reports false, so that new sessions are relayed unrecorded.
	MinFree int64
	// Every is how often Run sweeps. Zero means one minute.
	Every time.Duration
	// Logger gets a line per deleted file and per failure. Nil: none.
	Logger *slog.Logger

	deleted, deletedBytes atomic.Int64
}

// Run sweeps Dir at once and then every Every, until ctx ends.
func (r *Retention) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r.Sweep()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// finishedFile is a session file that no recorder writes any more.
type finishedFile struct {
	path string
	size int64
	mod  time.Time
}

// Sweep deletes what MaxAge and MaxSize say must go, oldest first, and
// returns how many files it deleted.
func (r *Retention) Sweep() int {
	if r.MaxAge <= 0 && r.MaxSize <= 0 {
		return 0
	}
	files := r.finished()
	var total int64
	for _, f := range files {
		total += f.size
	}
	n := 0
	for _, f := range files { // oldest first
		old := r.MaxAge > 0 && time.Since(f.mod) > r.MaxAge
		big := r.MaxSize > 0 && total > r.MaxSize
		if !old && !big {
			continue
		}
		why := "max-age"
		if !old {
			why = "max-size"
		}
		if err := os.Remove(f.path); err != nil {
			r.logger().Error("retention: cannot delete", "file", f.path, "err", cause(err))
			continue
		}
		total -= f.size
		n++
		r.deleted.Add(1)
		r.deletedBytes.Add(f.size)
		r.logger().Info("retention: deleted", "file", filepath.Base(f.path), "bytes", f.size, "why", why)
	}
	return n
}

// finished lists Dir's finished session files, oldest start first.
func (r *Retention) finished() []finishedFile {
	entries, err := os.ReadDir(r.Dir)
	if err != nil {
		r.logger().Error("retention: cannot list", "dir", r.Dir, "err", cause(err))
		return nil
	}
	var out []finishedFile
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !isFinishedName(name) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, finishedFile{filepath.Join(r.Dir, name), info.Size(), info.ModTime()})
	}
	slices.SortFunc(out, func(a, b finishedFile) int { return strings.Compare(a.path, b.path) })
	return out
}

// isFinishedName reports whether a name is a finished session file's:
// <start>_<id>.ndjson, .ndjson.gz or .ndjson.zst; never .partial.
func isFinishedName(name string) bool {
	_, ok := format.FinishedExt(name)
	return ok
}

// Room reports whether the directory's file system has more than MinFree
// bytes free (always, with no MinFree, or if it cannot tell).
func (r *Retention) Room() bool {
	if r.MinFree <= 0 {
		return true
	}
	free, err := freeBytes(r.Dir)
	return err != nil || free >= r.MinFree
}

// RetentionStats are what a Retention has deleted.
type RetentionStats struct {
	Deleted, DeletedBytes int64
}

// Stats returns what Sweep has deleted so far.
func (r *Retention) Stats() RetentionStats {
	return RetentionStats{r.deleted.Load(), r.deletedBytes.Load()}
}

func (r *Retention) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}
