package s3store

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// One upload: a finished session file (then removed from the spool), or a
// running session's file as it is now (.partial).

// uploadFinished uploads a finished file, deletes the .partial object an
// earlier pass may have left for it, and removes the file from the spool.
func (u *Uploader) uploadFinished(ctx context.Context, sf spoolFile) error {
	start, ok := startOf(sf.name)
	if !ok {
		return nil // not a session file of a recorder: left alone
	}
	path := spoolPath(u.Dir, sf.name)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // another uploader on the same spool took it
	}
	if err != nil {
		return err
	}
	defer f.Close()
	key := Key(u.Dest.Prefix(), start, sf.name)
	meta, err := u.put(ctx, f, sf.size, key)
	if err != nil {
		return err
	}
	if u.mayHavePartial(sf.name, start) {
		for _, pk := range partialKeys(key) {
			if _, err := u.Client.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(u.Dest.Bucket), Key: aws.String(pk)}); err != nil {
				return Explain(u.Dest.Join(pk).String(), err)
			}
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	stem, _ := stemOf(sf.name)
	u.partialsMu.Lock()
	delete(u.hadPartial, stem)
	u.partialsMu.Unlock()
	u.index.add(start.UTC().Format(hourLayout), indexEntry{Key: key, Size: sf.size, Meta: meta})
	u.stats.uploaded.Add(1)
	u.stats.uploadedBytes.Add(sf.size)
	u.stats.spoolFiles.Add(-1) // until the next scan counts again
	u.stats.spoolBytes.Add(-sf.size)
	return nil
}

// mayHavePartial reports whether the session of the finished file name may
// have a .partial object to delete: this run stored one, or an earlier run
// may have (the session began before this run, and was Interval old by
// now). A store that was down does not make a backlog of sessions cost a
// DELETE each.
func (u *Uploader) mayHavePartial(name string, start time.Time) bool {
	stem, _ := stemOf(name)
	u.partialsMu.Lock()
	had := u.hadPartial[stem]
	u.partialsMu.Unlock()
	return had || u.Interval > 0 && start.Before(u.started) && time.Since(start) >= u.Interval
}

// put uploads the first size bytes of f to key, with the summary of its
// session as metadata, which it returns.
func (u *Uploader) put(ctx context.Context, f *os.File, size int64, key string) (map[string]string, error) {
	meta := map[string]string{}
	if s := summarize(io.NewSectionReader(f, 0, size), f.Name()); s != nil {
		meta = summaryMeta(s)
	}
	contentType := "application/x-ndjson"
	if name := strings.TrimSuffix(key, partialSuffix); strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".zst") {
		contentType = "application/octet-stream" // compressed, a running session's .partial too
	}
	_, err := u.Client.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(u.Dest.Bucket), Key: aws.String(key),
		Body: io.NewSectionReader(f, 0, size), ContentLength: aws.Int64(size),
		ContentType: aws.String(contentType), Metadata: meta,
	})
	if err != nil {
		return nil, Explain(u.Dest.Join(key).String(), err)
	}
	return meta, nil
}

// uploadPartials uploads the .partial files of sessions at least Interval
// old that grew since their last upload.
func (u *Uploader) uploadPartials(ctx context.Context, files []spoolFile, now time.Time) {
	var due []spoolFile
	for _, f := range files {
		start, ok := startOf(f.name)
		if f.partial && ok && now.Sub(start) >= u.Interval && f.size != u.partials[f.name] {
			due = append(due, f)
		}
	}
	u.uploadAll(ctx, due, u.uploadPartial)
}

// uploadPartial uploads a running session's file as it is now, up to its
// last whole line.
func (u *Uploader) uploadPartial(ctx context.Context, sf spoolFile) error {
	start, _ := startOf(sf.name)
	f, err := os.Open(spoolPath(u.Dir, sf.name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // finished since the scan
	}
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := wholeLines(f, sf.size)
	if err != nil || n == 0 {
		return err
	}
	if _, err := u.put(ctx, f, n, Key(u.Dest.Prefix(), start, sf.name)); err != nil {
		return err
	}
	u.partialsMu.Lock()
	u.partials[sf.name] = sf.size
	stem, _ := stemOf(sf.name)
	u.hadPartial[stem] = true
	u.partialsMu.Unlock()
	u.stats.partialUploads.Add(1)
	return nil
}
