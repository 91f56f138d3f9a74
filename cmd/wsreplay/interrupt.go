package main

import (
	"context"
	"errors"
	"io"
)

// Ctrl-C (the first SIGINT or SIGTERM) ends run's context. Commands that
// read or write files stop at once: the reader and writer below fail as
// soon as the context has ended, the output's temporary file is removed,
// and run exits 130 without a message, as a shell's own commands do.

// errInterrupted is what reads and writes return once Ctrl-C was pressed.
var errInterrupted = errors.New("interrupted")

// exitInterrupted is the exit status after Ctrl-C: 128 + SIGINT.
const exitInterrupted = 130

// interruptible returns a reader that fails with errInterrupted once ctx
// has ended.
func interruptible(ctx context.Context, r io.Reader) io.Reader {
	if ctx == nil || ctx.Done() == nil {
		return r
	}
	return &ctxReader{ctx: ctx, r: r}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, errInterrupted
	}
	return c.r.Read(p)
}

// ctxWriter fails with errInterrupted once ctx has ended.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, errInterrupted
	}
	return c.w.Write(p)
}
