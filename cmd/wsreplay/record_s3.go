package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/s3store"
	"github.com/wsreplay/wsreplay/recorder"
)

// record --out s3://BUCKET/PREFIX records into a local spool directory,
// exactly as --out DIR does (crash-safe, leftovers finished at the next
// start), and an s3store.Uploader ships the spool's files to the bucket
// from a goroutine of its own: the traffic never waits for the store.

func recordS3Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "spool", DefaultText: "$XDG_STATE_HOME/wsreplay/spool, else ~/.local/state/wsreplay/spool; macOS: ~/Library/Application Support/wsreplay/spool; Windows: %LocalAppData%\\wsreplay\\spool",
			Usage: "with --out s3://: the local `DIR` sessions are written to before they are uploaded (kept across restarts; what a run leaves, the next uploads)"},
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
	// The spool is checked before anything is written in it: a spool
	// that is a link to a directory other users share is refused with no
	// mark left there.
	spool := c.String("spool")
	if spool == "" {
		if spool, err = defaultSpool(); err != nil {
			return nil, hinted{fmt.Errorf("--spool: %v", err), "give --spool a directory"}
		}
	}
	if err := recorder.PrepareDir(spool, c.Bool("allow-shared-out")); err != nil {
		if errors.Is(err, recorder.ErrSharedDir) {
			return nil, hinted{fmt.Errorf("--spool: %v", err), "choose a private directory, or add --allow-shared-out if you trust every user of this machine"}
		}
		return nil, fmt.Errorf("--spool: %v", err)
	}
	client, err := s3Client(c.Context)
	if err != nil {
		return nil, err
	}
	if err := checkBucket(c.Context, log, client, dest); err != nil {
		return nil, err
	}
	if err := s3store.PrepareSpool(spool, dest); err != nil {
		if errors.Is(err, s3store.ErrNotSpool) {
			return nil, hinted{fmt.Errorf("--spool: %v", err), "give --spool a new or empty directory"}
		}
		return nil, fmt.Errorf("--spool: %v", err)
	}
	return &upload{u: &s3store.Uploader{Client: client, Dest: dest, Dir: spool, Interval: interval, Logger: log}}, nil
}

// checkBucket writes a probe to the bucket. A bucket that is missing or
// refuses the credentials is an error: a person must fix it. A store that
// cannot be reached now, or answers 5xx, is only a warning: a recorder
// restarted during an outage must not take the traffic down with it; the
// spool keeps the sessions and the uploads are retried.
func checkBucket(ctx context.Context, log *slog.Logger, client *s3store.Client, dest s3store.Location) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := client.CheckWritable(ctx, dest)
	switch {
	case err == nil:
		return nil
	case s3store.IsTransient(err):
		log.Warn("the store cannot be written now; recording to the spool, and uploads will be retried", "err", err)
		return nil
	}
	return hinted{fmt.Errorf("--out: cannot write to the bucket: %v", err),
		"check the bucket's name, the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) and --s3-endpoint"}
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
