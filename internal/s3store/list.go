package s3store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/wsreplay/wsreplay/format"
)

// Window narrows a listing to the sessions that started in [Since, Until).
// A zero bound is no bound. Keys laid out as Key makes them are narrowed
// without a request of their own: the listing starts after the keys of
// earlier hours (StartAfter) and stops at the first key of a later hour;
// other keys under the prefix are listed, and their summaries decide.
type Window struct{ Since, Until time.Time }

// Contains reports whether a session that started at t is in w.
func (w Window) Contains(t time.Time) bool {
	return (w.Since.IsZero() || !t.Before(w.Since)) && (w.Until.IsZero() || t.Before(w.Until))
}

// List calls fn with each recording under loc's prefix, in key order (time
// order for keys laid out by Key), as the pages of the listing arrive: a
// reader can start on the first before the last is listed. A .partial
// object beside its finished one is left out, since both hold the same
// session. An error of fn stops the listing and is returned.
func (c *Client) List(ctx context.Context, loc Location, w Window, fn func(Location) error) error {
	prefix := loc.Prefix()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(prefix)}
	if !w.Since.IsZero() {
		in.StartAfter = aws.String(prefix + w.Since.UTC().Format(hourLayout))
	}
	var untilHour string
	if !w.Until.IsZero() {
		untilHour = prefix + w.Until.UTC().Add(time.Hour).Format(hourLayout)
	}
	d := &dedup{emit: fn}
	p := s3.NewListObjectsV2Paginator(c.s3, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Explain(loc.String(), err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if untilHour != "" && key >= untilHour && inLayout(prefix, key) {
				return d.flush(loc)
			}
			if !IsRecordingKey(key) || strings.HasPrefix(key, prefix+indexDir) {
				continue
			}
			if t, ok := startOf(baseName(key)); ok && !w.Contains(t) {
				continue
			}
			if err := d.add(loc.Join(key)); err != nil {
				return err
			}
		}
	}
	return d.flush(loc)
}

// inLayout reports whether key is PREFIX/YYYY/MM/DD/HH/NAME.
func inLayout(prefix, key string) bool {
	rest := strings.TrimPrefix(key, prefix)
	if len(rest) <= len(hourLayout) {
		return false
	}
	_, err := time.Parse(hourLayout, rest[:len(hourLayout)])
	return err == nil
}

// dedup leaves out a session's .partial object (X.ndjson.zst.partial,
// X.ndjson.gz.partial, or an earlier release's X.ndjson.partial) beside its
// finished X.ndjson, X.ndjson.gz or X.ndjson.zst, and keeps one partial of
// a session that has two. In key order a partial may come before or after
// its finished key, so a partial is held until the next key is seen.
type dedup struct {
	emit     func(Location) error
	finished string    // stem of the last finished key seen
	pending  *Location // a partial waiting for the next key
}

func stemOf(key string) (stem string, partial bool) {
	key, partial = strings.CutSuffix(key, partialSuffix)
	ext, _ := format.FinishedExt(key)
	return strings.TrimSuffix(key, ext), partial
}

func (d *dedup) add(l Location) error {
	stem, partial := stemOf(l.Key)
	if p := d.pending; p != nil {
		d.pending = nil
		if pstem, _ := stemOf(p.Key); pstem != stem {
			if err := d.emit(*p); err != nil {
				return err
			}
		}
	}
	if partial {
		if stem != d.finished {
			d.pending = &l
		}
		return nil
	}
	d.finished = stem
	return d.emit(l)
}

func (d *dedup) flush(Location) error {
	if p := d.pending; p != nil {
		d.pending = nil
		return d.emit(*p)
	}
	return nil
}

// Listed is an object's summary as its metadata holds it.
type Listed struct {
	Loc     Location
	Summary *format.Summary // nil: the object has no wsreplay summary
	Kind    string
	Size    int64
	Err     error
}

// Head reads the summary of the object at loc from its metadata, with one
// HEAD request.
func (c *Client) Head(ctx context.Context, loc Location) Listed {
	out, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key)})
	if err != nil {
		return Listed{Loc: loc, Err: Explain(loc.String(), err)}
	}
	l := Listed{Loc: loc, Size: aws.ToInt64(out.ContentLength)}
	l.Summary, l.Kind, _ = summaryFromMeta(out.Metadata)
	return l
}

// HeadAll reads the summaries of locs, parallel HEAD requests at a time,
// and returns them in the order of locs.
func (c *Client) HeadAll(ctx context.Context, locs []Location, parallel int) []Listed {
	out := make([]Listed, len(locs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, parallel) {
		wg.Go(func() {
			for i := range next {
				out[i] = c.Head(ctx, locs[i])
			}
		})
	}
	for i := range locs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// Summaries reads the summaries of locs from the hour indexes of ir (nil:
// none), and HEADs the objects no index names, parallel at a time. They
// come in the order of locs.
func (c *Client) Summaries(ctx context.Context, ir *IndexReader, locs []Location, parallel int) []Listed {
	out := make([]Listed, len(locs))
	var miss []Location
	var at []int
	for i, l := range locs {
		if ir != nil {
			if h, ok := ir.Lookup(ctx, l.Key); ok {
				out[i] = h
				continue
			}
		}
		miss, at = append(miss, l), append(at, i)
	}
	for j, h := range c.HeadAll(ctx, miss, parallel) {
		out[at[j]] = h
	}
	return out
}

// Resolve turns an s3:// URL given on a command line into the recordings
// it names: the key itself when its name is a recording's (or when no key
// lies under it as a prefix but it exists as an object), else the
// recordings under it as a prefix. None is an error naming the URL.
func (c *Client) Resolve(ctx context.Context, loc Location, w Window, fn func(Location) error) error {
	if loc.Key != "" && IsRecordingKey(loc.Key) {
		return fn(loc)
	}
	n := 0
	err := c.List(ctx, loc, w, func(l Location) error { n++; return fn(l) })
	if err != nil || n > 0 {
		return err
	}
	if loc.Key != "" && !strings.HasSuffix(loc.Key, "/") {
		if h := c.Head(ctx, loc); h.Err == nil {
			return fn(loc)
		} else if !errors.Is(h.Err, ErrNotFound) && !isNotFound(h.Err) {
			return h.Err
		}
	}
	if !w.Since.IsZero() || !w.Until.IsZero() {
		return &Error{What: loc.String(), msg: "no recordings in this time window"}
	}
	return &Error{What: loc.String(), msg: "no recordings under this prefix (keys ending in .ndjson, .ndjson.gz, .ndjson.zst, .partial or .har)"}
}
