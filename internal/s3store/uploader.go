package s3store

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Uploader ships the session files of a recorder's spool directory (what
// recorder.NewDirSink writes there) to a bucket, off the relay path: the
// traffic never waits for it, and a store that fails only makes the spool
// grow.
//
//   - A finished file is uploaded to Key(Dest prefix, start, name) with its
//     session's summary as metadata, within Scan of being finished; once the
//     store has confirmed it, the file is removed from the spool. A file
//     whose upload fails stays, and is tried again after a backoff that
//     doubles up to MaxBackoff.
//   - A running session's .partial file is uploaded every Interval once the
//     session is Interval old (when it has grown), as
//     <start>_<id>.ndjson.partial beside where its finished object will go,
//     and that object is deleted when the finished one is in place. So a
//     machine that dies loses at most Interval plus the recorder's flush
//     interval of a long session (plus Scan and the upload's time): lines
//     reach the spool file within the flush interval, and the spool file
//     reaches the store within Interval.
//   - Run starts by uploading what is in the spool already: what an earlier
//     run left (recorder.NewDirSink finishes its .partial files first).
//
// Keys come from the files' names, so an upload repeated after a crash (the
// object was stored, the file not yet removed) stores the same key again: a
// session is in the bucket once.
//
// Set the fields before Run; Stats is safe for concurrent use.
type Uploader struct {
	Client *Client
	// Dest is the bucket and key prefix (s3://BUCKET/PREFIX).
	Dest Location
	// Dir is the spool directory. Required.
	Dir string
	// Interval is how often a running session's file is uploaded. Zero:
	// one minute; negative: never (only finished files are).
	Interval time.Duration
	// Scan is how often the spool is looked at for finished files. Zero:
	// one second.
	Scan time.Duration
	// MaxBackoff bounds the wait before a failed upload is tried again.
	// Zero: one minute.
	MaxBackoff time.Duration
	// Parallel is how many uploads run at once. Zero: 4.
	Parallel int
	// Logger gets failures, and what a pass uploaded. Nil: none.
	Logger *slog.Logger

	stats uploaderStats
	// The rest belongs to the goroutine of Run (and of Flush, after it).
	retry    map[string]backoff // finished files whose upload failed
	partials map[string]int64   // .partial files uploaded: the size uploaded
	// partialsMu guards partials and hadPartial against the parallel
	// uploads of a pass.
	partialsMu sync.Mutex
	hadPartial map[string]bool // stems whose .partial object this run stored
	started    time.Time       // when this run began: older sessions are an earlier run's
	lastPart   time.Time       // the last pass over the .partial files
	index      runIndex        // this run's hour indexes (index.go)
	failing    bool            // uploads fail: logged once until one succeeds
}

type backoff struct {
	failures int
	next     time.Time
}

func (u *Uploader) defaults() {
	if u.Interval == 0 {
		u.Interval = time.Minute
	}
	if u.Scan <= 0 {
		u.Scan = time.Second
	}
	if u.MaxBackoff <= 0 {
		u.MaxBackoff = time.Minute
	}
	if u.Parallel <= 0 {
		u.Parallel = 4
	}
	if u.Logger == nil {
		u.Logger = slog.New(slog.DiscardHandler)
	}
	if u.retry == nil {
		u.retry, u.partials, u.hadPartial = map[string]backoff{}, map[string]int64{}, map[string]bool{}
		u.lastPart, u.started = time.Now(), time.Now()
		var run [6]byte
		cryptorand.Read(run[:])
		u.index = runIndex{run: u.started.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(run[:]),
			hours: map[string]*hourIndex{}, gens: map[string]int{}}
	}
}

// Run uploads from the spool until ctx ends.
func (u *Uploader) Run(ctx context.Context) {
	u.defaults()
	t := time.NewTicker(u.Scan)
	defer t.Stop()
	for {
		u.pass(ctx, false)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Flush uploads every finished file of the spool now, backoffs ignored,
// for a recorder shutting down after its sink has finished its files. A
// .partial file left (a session the sink could not finish: it lost lines)
// is uploaded as .partial, whatever its age; the next run finishes it and
// uploads it whole. Flush returns an error if finished files are left in
// the spool (the next run uploads them).
func (u *Uploader) Flush(ctx context.Context) error {
	u.defaults()
	clear(u.retry)
	u.pass(ctx, true)
	files, err := scanSpool(u.Dir)
	if err != nil {
		return err
	}
	var partials []spoolFile
	finished := 0
	for _, f := range files {
		if !f.partial {
			finished++
		} else if _, ok := startOf(f.name); ok && f.size != u.partials[f.name] {
			partials = append(partials, f)
		}
	}
	if finished == 0 {
		u.uploadAll(ctx, partials, u.uploadPartial)
		return nil
	}
	return fmt.Errorf("%d finished session files are left in %s, not uploaded; the next run uploads them", finished, u.Dir)
}

// pass uploads the finished files whose time has come, and, every
// Interval, the .partial files that grew.
func (u *Uploader) pass(ctx context.Context, final bool) {
	files, err := scanSpool(u.Dir)
	if err != nil {
		u.Logger.Error("cannot read the spool", "dir", u.Dir, "err", err)
		return
	}
	u.count(files)
	now := time.Now()
	var due []spoolFile
	for _, f := range files {
		if !f.partial && (final || !now.Before(u.retry[f.name].next)) {
			due = append(due, f)
		}
	}
	ok := u.uploadAll(ctx, due, u.uploadFinished)
	if ok || final { // at the end, what was uploaded gets its index even if some uploads failed
		u.writeIndexes(ctx, final)
	}
	if ok && !final && u.Interval > 0 && now.Sub(u.lastPart) >= u.Interval {
		u.lastPart = now
		u.uploadPartials(ctx, files, now)
	}
}

// count sets the spool gauges, and forgets the .partial files gone.
func (u *Uploader) count(files []spoolFile) {
	var n, size int64
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		n++
		size += f.size
		seen[f.name] = true
	}
	for name := range u.partials {
		if !seen[name] {
			delete(u.partials, name)
		}
	}
	for name := range u.retry {
		if !seen[name] {
			delete(u.retry, name)
		}
	}
	u.stats.spoolFiles.Store(n)
	u.stats.spoolBytes.Store(size)
}

// uploadAll runs upload on files, Parallel at a time, stopping at the
// first failure: when the store is down, one request finds it out, not one
// per file. It reports whether every upload succeeded.
func (u *Uploader) uploadAll(ctx context.Context, files []spoolFile, upload func(context.Context, spoolFile) error) bool {
	var failed atomic.Bool
	var mu sync.Mutex
	next := make(chan spoolFile)
	var wg sync.WaitGroup
	for range u.Parallel {
		wg.Go(func() {
			for f := range next {
				if failed.Load() || ctx.Err() != nil {
					continue
				}
				if err := upload(ctx, f); err != nil {
					failed.Store(true)
					mu.Lock()
					u.failed(f, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	if !failed.Load() && u.failing && len(files) > 0 {
		u.failing = false
		u.Logger.Info("uploads to the store work again", "dest", u.Dest.String())
	}
	return !failed.Load()
}

// failed counts a failed upload and schedules its next try.
func (u *Uploader) failed(f spoolFile, err error) {
	u.stats.failures.Add(1)
	b := u.retry[f.name]
	b.failures++
	wait := min(u.MaxBackoff, time.Duration(float64(500*time.Millisecond)*float64(uint(1)<<min(b.failures-1, 20))))
	wait = time.Duration(float64(wait) * (0.75 + rand.Float64()/2))
	b.next = time.Now().Add(wait)
	u.retry[f.name] = b
	if !u.failing {
		u.failing = true
		u.Logger.Error("upload to the store failed; the spool keeps the files and uploads are retried", "file", f.name, "err", err)
	} else {
		u.Logger.Debug("upload to the store failed again", "file", f.name, "retry_in", wait.Round(time.Millisecond), "err", err)
	}
}
