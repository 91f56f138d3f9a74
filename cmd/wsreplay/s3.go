package main

import (
	"context"
	"io"
	"net/url"
	"sync"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/s3store"
)

// Shared storage: every command that reads recordings (ls, cat, convert,
// serve) takes s3://BUCKET/PREFIX[/KEY] wherever it takes a file or a
// directory, and record takes --out s3://BUCKET/PREFIX. The client is made
// once per command, when the first s3:// URL needs it, from the AWS
// configuration (see s3store.New) and the flags below; it travels in the
// command's context, so the input layer (expandPaths, openInput) needs no
// new parameter.

// s3Commands take the S3 flags.
var s3Commands = map[string]bool{"record": true, "serve": true, "ls": true, "cat": true, "convert": true, "drive": true}

func s3Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "s3-endpoint", Usage: "for s3:// URLs: the store's `URL`, for stores other than AWS S3 (default: AWS_ENDPOINT_URL, else AWS)"},
		&cli.BoolFlag{Name: "s3-path-style", Usage: "for s3:// URLs: address buckets as ENDPOINT/BUCKET (automatic for an IP address or localhost endpoint)"},
	}
}

// withS3 is the Before of the commands that take s3:// URLs: it puts the
// S3 access of the flags in the command's context.
func withS3(c *cli.Context) error {
	opts := s3store.Options{Endpoint: c.String("s3-endpoint"), PathStyle: c.Bool("s3-path-style")}
	c.Context = context.WithValue(c.Context, s3Key{}, &s3Access{opts: opts})
	return nil
}

// closeS3 is the After of those commands: it lets go of the client's idle
// connections.
func closeS3(c *cli.Context) error {
	if a, ok := c.Context.Value(s3Key{}).(*s3Access); ok && a.client != nil {
		a.client.Close()
	}
	return nil
}

type s3Key struct{}

// s3Access makes the command's client the first time it is needed.
type s3Access struct {
	opts   s3store.Options
	once   sync.Once
	client *s3store.Client
	err    error
}

// s3Client is the client of the command whose context ctx is; without
// one (diff, export), a client of the AWS configuration alone.
func s3Client(ctx context.Context) (*s3store.Client, error) {
	a, ok := ctx.Value(s3Key{}).(*s3Access)
	if !ok {
		a = &s3Access{}
	}
	a.once.Do(func() {
		if ep := a.opts.Endpoint; ep != "" {
			u, err := url.Parse(ep)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				a.err = usagef("--s3-endpoint: %q is not an http:// or https:// URL (like http://127.0.0.1:7070)", ep)
				return
			}
		}
		a.client, a.err = s3store.New(ctx, &a.opts)
	})
	return a.client, a.err
}

// expandS3 lists the recordings an s3:// URL names (see s3store.Resolve)
// as s3:// URLs of objects.
func expandS3(ctx context.Context, s string, w s3store.Window) ([]string, error) {
	loc, err := s3store.ParseURL(s)
	if err != nil {
		return nil, usagef("%v", err)
	}
	c, err := s3Client(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	err = c.Resolve(ctx, loc, w, func(l s3store.Location) error {
		out = append(out, l.String())
		return nil
	})
	return out, err
}

// openS3 opens the object an s3:// URL names, to read it from its start.
func openS3(ctx context.Context, s string) (io.ReadCloser, error) {
	loc, err := s3store.ParseURL(s)
	if err != nil {
		return nil, usagef("%v", err)
	}
	c, err := s3Client(ctx)
	if err != nil {
		return nil, err
	}
	return c.Open(ctx, loc)
}
