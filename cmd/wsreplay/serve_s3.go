package main

import (
	"context"
	"errors"
	"io"
	"iter"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/s3store"
	"github.com/wsreplay/wsreplay/replayer"
)

// openCatalog indexes serve's inputs. With an s3:// URL among them, the
// objects are indexed as the listing finds them (replayer.OpenSeq), so the
// replay server listens, and serves the first sessions, before a bucket of
// thousands of recordings is listed; each object is read with ranged GETs
// (s3store.Object), never held whole.
func openCatalog(c *cli.Context) (*replayer.Catalog, *progress, error) {
	hasS3 := false
	for _, a := range c.Args().Slice() {
		hasS3 = hasS3 || s3store.IsURL(a)
	}
	if !hasS3 {
		sources, bar, err := serveSources(c)
		if err != nil {
			return nil, nil, err
		}
		cat, err := replayer.Open(sources...)
		return cat, bar, err
	}
	seq, err := serveSeq(c)
	if err != nil {
		return nil, nil, err
	}
	return replayer.OpenSeq(seq), nil, nil
}

// inputSource is the catalog's source of an input expandPaths found: a
// file, or a URL (http_input.go).
func inputSource(ctx context.Context, path string) replayer.Source {
	if isHTTPURL(path) {
		return httpSource(ctx, path)
	}
	return replayer.File(path)
}

// errFound stops a listing at its first recording.
var errFound = errors.New("found")

// serveSeq checks every input now (a file exists, an s3:// URL names at
// least one recording: its bucket exists and the credentials work), and
// returns the sources in order, listing the s3:// ones as it goes.
func serveSeq(c *cli.Context) (iter.Seq2[replayer.Source, error], error) {
	ctx := c.Context
	args := c.Args().Slice()
	local := map[string][]string{}
	for _, a := range args {
		if !s3store.IsURL(a) {
			files, err := expandPaths(ctx, []string{a})
			if err != nil {
				return nil, err
			}
			local[a] = files
			continue
		}
		if err := checkS3(ctx, a); err != nil {
			return nil, err
		}
	}
	client, err := s3Client(ctx)
	if err != nil {
		return nil, err
	}
	return func(yield func(replayer.Source, error) bool) {
		for _, a := range args {
			if !s3store.IsURL(a) {
				for _, f := range local[a] {
					if !yield(inputSource(ctx, f), nil) {
						return
					}
				}
				continue
			}
			loc, _ := s3store.ParseURL(a)
			stop := errors.New("stop")
			err := client.Resolve(ctx, loc, s3store.Window{}, func(obj s3store.Location) error {
				if !yield(objectSource(ctx, client, obj), nil) {
					return stop
				}
				return nil
			})
			if err != nil && !errors.Is(err, stop) {
				yield(replayer.Source{}, err)
				return
			}
		}
	}, nil
}

// checkS3 makes sure an s3:// URL names at least one recording, with a
// request or two: a missing bucket or refused credentials are an error
// before the server listens.
func checkS3(ctx context.Context, url string) error {
	loc, err := s3store.ParseURL(url)
	if err != nil {
		return usagef("%v", err)
	}
	client, err := s3Client(ctx)
	if err != nil {
		return err
	}
	err = client.Resolve(ctx, loc, s3store.Window{}, func(s3store.Location) error { return errFound })
	if errors.Is(err, errFound) {
		return nil
	}
	return err
}

// objectSource is a catalog's source reading an object: each replay opens
// it again, and a plain recording's replay seeks (a ranged GET) to where
// its session begins.
func objectSource(ctx context.Context, client *s3store.Client, obj s3store.Location) replayer.Source {
	return replayer.Source{Name: obj.String(), Open: func() (io.ReadCloser, error) {
		return client.Open(ctx, obj)
	}}
}
