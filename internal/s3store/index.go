package s3store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Hour indexes: besides each object's metadata, an Uploader writes, for
// every hour whose sessions it uploaded, a small index object listing those
// objects with their summaries:
//
//	PREFIX/_index/YYYY/MM/DD/HH/<run>-<generation>.json
//
// one JSON line per object, {"key", "size", "meta"} with meta as the
// object's metadata. Each recorder run writes its own (no two writers share
// an object), rewrites an hour's index as the hour grows (at most every
// indexEvery, and at Flush), and starts a new generation for an hour it had
// let go of. ls then reads one hour with a listing of its index objects and
// a GET of each, and HEADs only the objects no index names (those of a run
// that died before writing its index, or uploaded by other tools): 8,000
// sessions in about 10 requests instead of 8,000. An index entry is only
// used for a key the listing of recordings finds, so an index never makes a
// deleted object appear.

// indexDir is where, under a recorder's prefix, the hour indexes live. "_"
// sorts after the digits of the hour keys, so a listing meets them last.
const indexDir = "_index/"

// indexEvery bounds how often an hour's index is rewritten.
const indexEvery = 10 * time.Second

// indexKeepHour is how long an hour's entries are kept after its last
// upload; a later upload into it starts a new generation.
const indexKeepHour = 2 * time.Hour

type indexEntry struct {
	Key  string            `json:"key"`
	Size int64             `json:"size"`
	Meta map[string]string `json:"meta"`
}

// hourIndex is what a run uploaded of one hour.
type hourIndex struct {
	entries []indexEntry
	gen     int
	dirty   bool
	last    time.Time // the last upload into this hour
}

// runIndex is an Uploader's hour indexes. It is safe for concurrent use.
type runIndex struct {
	mu      sync.Mutex
	run     string
	hours   map[string]*hourIndex // by "YYYY/MM/DD/HH/"
	gens    map[string]int        // the last generation of each hour let go of
	written time.Time
}

func (x *runIndex) add(hour string, e indexEntry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	h := x.hours[hour]
	if h == nil {
		h = &hourIndex{gen: x.gens[hour] + 1}
		x.hours[hour] = h
	}
	h.entries = append(h.entries, e)
	h.dirty, h.last = true, time.Now()
}

// due returns the hours whose index should be written now, with their
// contents; all of them if final.
func (x *runIndex) due(final bool) map[string][]byte {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !final && time.Since(x.written) < indexEvery {
		return nil
	}
	out := map[string][]byte{}
	for hour, h := range x.hours {
		if !h.dirty {
			if time.Since(h.last) > indexKeepHour {
				x.gens[hour] = h.gen
				delete(x.hours, hour)
			}
			continue
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		for _, e := range h.entries {
			enc.Encode(e)
		}
		out[hour+x.run+fmt.Sprintf("-%d.json", h.gen)] = b.Bytes()
		h.dirty = false
	}
	x.written = time.Now()
	return out
}

// redo marks the hour of an index object whose write failed as dirty.
func (x *runIndex) redo(name string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if h := x.hours[name[:len(hourLayout)]]; h != nil {
		h.dirty = true
	}
}

// writeIndexes writes the hour indexes that are due. A failure is logged
// and tried again at the next pass: listings then HEAD those objects.
func (u *Uploader) writeIndexes(ctx context.Context, final bool) {
	for name, body := range u.index.due(final) {
		key := u.Dest.Prefix() + indexDir + name
		_, err := u.Client.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(u.Dest.Bucket), Key: aws.String(key),
			Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/x-ndjson")})
		if err != nil {
			u.index.redo(name)
			u.Logger.Debug("cannot write an hour index; listings will HEAD its objects", "key", key, "err", err)
		}
	}
}

// IndexReader answers summaries from the hour indexes under a recorder's
// prefix, one hour at a time (keys are listed in time order). Not safe for
// concurrent use.
type IndexReader struct {
	c       *Client
	bucket  string
	root    string // the recorder's prefix
	hour    string // the hour loaded
	entries map[string]Listed
	// Requests counts the requests made to read indexes.
	Requests int
}

// NewIndexReader reads the indexes of the recorder prefix that loc is, or
// that loc lies under (s3://b/staging/2026/11/27/ is under s3://b/staging/).
func (c *Client) NewIndexReader(loc Location) *IndexReader {
	return &IndexReader{c: c, bucket: loc.Bucket, root: rootOf(loc.Prefix())}
}

// rootOf cuts the date part (YYYY/, YYYY/MM/, ... YYYY/MM/DD/HH/) off the
// end of a prefix.
func rootOf(prefix string) string {
	parts := strings.Split(strings.TrimSuffix(prefix, "/"), "/")
	widths := []int{4, 2, 2, 2}
	for n := min(4, len(parts)); n > 0; n-- {
		date := parts[len(parts)-n:]
		ok := true
		for i, p := range date {
			ok = ok && len(p) == widths[i] && strings.Trim(p, "0123456789") == ""
		}
		if ok {
			root := strings.Join(parts[:len(parts)-n], "/")
			if root != "" {
				root += "/"
			}
			return root
		}
	}
	return prefix
}

// Lookup returns the summary the indexes hold for key, loading its hour's
// indexes if they are not the ones loaded.
func (r *IndexReader) Lookup(ctx context.Context, key string) (Listed, bool) {
	rest, ok := strings.CutPrefix(key, r.root)
	if !ok || !inLayout(r.root, key) {
		return Listed{}, false
	}
	if hour := rest[:len(hourLayout)]; hour != r.hour {
		r.load(ctx, hour)
	}
	l, ok := r.entries[key]
	return l, ok
}

// load reads the index objects of an hour. What cannot be read is left
// out: its objects are HEADed.
func (r *IndexReader) load(ctx context.Context, hour string) {
	r.hour, r.entries = hour, map[string]Listed{}
	p := s3.NewListObjectsV2Paginator(r.c.s3, &s3.ListObjectsV2Input{Bucket: aws.String(r.bucket), Prefix: aws.String(r.root + indexDir + hour)})
	for p.HasMorePages() {
		r.Requests++
		page, err := p.NextPage(ctx)
		if err != nil {
			return
		}
		for _, obj := range page.Contents {
			r.read(ctx, aws.ToString(obj.Key))
		}
	}
}

func (r *IndexReader) read(ctx context.Context, key string) {
	r.Requests++
	out, err := r.c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
	if err != nil {
		return
	}
	defer out.Body.Close()
	dec := json.NewDecoder(io.LimitReader(out.Body, 256<<20))
	for {
		var e indexEntry
		if dec.Decode(&e) != nil {
			return
		}
		l := Listed{Loc: Location{Bucket: r.bucket, Key: e.Key}, Size: e.Size}
		if l.Summary, l.Kind, _ = summaryFromMeta(e.Meta); l.Summary != nil {
			r.entries[e.Key] = l
		}
	}
}
