package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/s3store"
)

// ls of s3://BUCKET/PREFIX lists the keys (1 request per 1,000 keys, only
// the hours of --since/--until) and takes each object's summary from the
// hour indexes the recorders wrote (s3store.IndexReader: a few requests an
// hour), or, for an object no index names, from its metadata with a HEAD
// request, 16 at a time; an object without either (not uploaded by record)
// is read, as a file is.

// lsBatch is how many keys are listed before their summaries are read:
// rows come out while the listing goes on, in key (time) order.
const lsBatch = 512

// lsParallel is how many HEAD requests run at once.
const lsParallel = 16

// lsS3 lists the sessions under an s3:// URL: how many objects could not
// be read, and how many there were.
func lsS3(c *cli.Context, l *lister, url string) (failed, n int, err error) {
	loc, err := s3store.ParseURL(url)
	if err != nil {
		return 0, 0, usagef("%v", err)
	}
	client, err := s3Client(c.Context)
	if err != nil {
		return 0, 0, err
	}
	var batch []s3store.Location
	ir := client.NewIndexReader(loc)
	flush := func() error {
		f, err := lsObjects(c, l, client, ir, batch)
		failed, n, batch = failed+f, n+len(batch), batch[:0]
		return err
	}
	err = client.Resolve(c.Context, loc, l.window, func(obj s3store.Location) error {
		if batch = append(batch, obj); len(batch) == lsBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if c.Context.Err() != nil {
		return failed, n, errInterrupted
	}
	return failed, n, err
}

// lsObjects lists the summaries of objs, reading those that have none.
func lsObjects(c *cli.Context, l *lister, client *s3store.Client, ir *s3store.IndexReader, objs []s3store.Location) (failed int, err error) {
	stderr := c.App.ErrWriter
	for _, h := range client.Summaries(c.Context, ir, objs, lsParallel) {
		if c.Context.Err() != nil {
			return failed, errInterrupted
		}
		if h.Err != nil {
			fmt.Fprintf(stderr, "wsreplay: %s\n", printable(h.Err.Error()))
			failed++
			continue
		}
		if h.Summary != nil {
			if err := l.add(h.Loc.String(), h.Summary); err != nil {
				return failed, err
			}
			continue
		}
		rows, err := lsRead(c, l, h.Loc.String())
		if err != nil {
			fmt.Fprintf(stderr, "wsreplay: %s\n", printable(err.Error()))
			failed++
		} else if rows == 0 {
			fmt.Fprintf(stderr, "wsreplay: %s: no sessions\n", printable(h.Loc.String()))
		}
	}
	return failed, nil
}

// lsWindow reads --since and --until: RFC 3339 times, or durations before
// now.
func lsWindow(c *cli.Context) (s3store.Window, error) {
	var w s3store.Window
	now := time.Now()
	for name, dst := range map[string]*time.Time{"since": &w.Since, "until": &w.Until} {
		s := c.String(name)
		if s == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*dst = t
			continue
		}
		d, err := parseDuration(s)
		if err != nil || d < 0 {
			return w, usagef("--%s: %q is not an RFC 3339 time (2026-11-27T10:00:00Z) or a duration ago (2h)", name, s)
		}
		*dst = now.Add(-d)
	}
	if !w.Since.IsZero() && !w.Until.IsZero() && !w.Until.After(w.Since) {
		return w, usagef("--until must be after --since")
	}
	return w, nil
}
