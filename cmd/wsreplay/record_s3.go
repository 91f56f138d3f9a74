package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/s3store"
)

// record --out s3://BUCKET/PREFIX records into a local spool directory,
// exactly as --out DIR does (crash-safe, leftovers finished at the next
// start), and an s3store.Uploader ships the spool's files to the bucket
// from a goroutine of its own: the traffic never waits for the store.

func recordS3Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "spool", Value: "wsreplay-spool", Usage: "with --out s3://: the local `DIR` sessions are written to before they are uploaded (kept across restarts; what a run leaves, the next uploads)"},
		&cli.StringFlag{Name: "upload-interval", Value: "1m", Usage: "with --out s3://: upload a running session's file every `D` (a machine lost loses at most D plus --flush-interval of it)"},
	}
}

// upload is record's shipping to a bucket.
type upload struct {
	u      *s3store.Uploader
	cancel context.CancelFunc
	done   chan struct{}
}

// openUpload checks --out s3:// (the bucket can be written, now, not at
// the first session's end) and makes --spool its spool. The uploader
// starts with start.
func openUpload(c *cli.Context, log *slog.Logger, out string) (*upload, error) {
	dest, err := s3store.ParseURL(out)
	if err != nil {
		return nil, usagef("--out: %v", err)
	}
	interval, err := durationFlag(c, "upload-interval")
	if err != nil {
		return nil, err
	}
	if interval <= 0 {
		return nil, usagef("--upload-interval: must be more than 0")
	}
	client, err := s3Client(c.Context)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(c.Context, 30*time.Second)
	err = client.CheckWritable(ctx, dest)
	cancel()
	if err != nil {
		return nil, hinted{fmt.Errorf("--out: cannot write to the bucket: %v", err),
			"check the bucket's name, the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) and --s3-endpoint"}
	}
	spool := c.String("spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		return nil, fmt.Errorf("--spool: %v", cause(err))
	}
	if err := s3store.PrepareSpool(spool, dest); err != nil {
		if errors.Is(err, s3store.ErrNotSpool) {
			return nil, hinted{fmt.Errorf("--spool: %v", err), "give --spool a new or empty directory"}
		}
		return nil, fmt.Errorf("--spool: %v", err)
	}
	return &upload{u: &s3store.Uploader{Client: client, Dest: dest, Dir: spool, Interval: interval, Logger: log}}, nil
}

// start runs the uploader until finish.
func (up *upload) start(ctx context.Context) {
	ctx, up.cancel = context.WithCancel(context.WithoutCancel(ctx))
	up.done = make(chan struct{})
	go func() { defer close(up.done); up.u.Run(ctx) }()
}

// finish stops the uploader and uploads what the sink finished at its
// close, for at most timeout: what is left stays in the spool, for the
// next run.
func (up *upload) finish(timeout time.Duration) error {
	up.cancel()
	<-up.done
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return up.u.Flush(ctx)
}
