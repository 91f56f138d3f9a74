package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/format/har"
)

// output writes events to a file or standard output as wsreplay NDJSON (in
// the compression the file name asks for) or as HAR. A file is an
// atomicFile, renamed into place at close, so a failed run leaves no
// half-written file behind.
type output struct {
	path     string      // "-" for stdout
	tmp      *atomicFile // nil for stdout
	w        *format.Writer
	har      *har.Writer // writes each session's entry once it has ended
	isHAR    bool
	stdout   io.Writer
	sessions map[string]bool
	messages int
	bar      *progress // counts the bytes of a HAR written at close (the entries left); nil: none
	harDst   *progressSwitch
	version  string // of wsreplay, for a HAR file's "log.creator"
}

// newOutput opens path for writing; kind is "", "ndjson" or "har" ("":
// by the name, .har for HAR). version names this wsreplay in a HAR file.
func newOutput(path, kind, version string, stdout io.Writer) (*output, error) {
	o := &output{path: path, stdout: stdout, sessions: map[string]bool{}, version: version}
	switch kind {
	case "":
		o.isHAR = strings.HasSuffix(strings.ToLower(path), ".har")
	case "har":
		o.isHAR = true
	case "ndjson":
	default:
		return nil, usagef("--format: %q is not ndjson or har", kind)
	}
	var dst io.Writer = stdout
	if path != "-" {
		f, err := createAtomic(path)
		if err != nil {
			return nil, err
		}
		o.tmp, dst = f, f
	}
	if o.isHAR {
		o.harDst = &progressSwitch{w: dst}
		o.har = har.NewWriter(o.harDst, &har.WriteOptions{Creator: har.Creator{Name: "wsreplay", Version: version}})
	} else {
		comp := format.None
		if path != "-" {
			comp = format.CompressionForName(path)
		}
		o.w = format.NewWriter(dst, &format.WriterOptions{Compression: comp})
	}
	return o, nil
}

func (o *output) write(e *format.Event) error {
	o.sessions[e.Session] = true
	if e.Type == format.TypeMessage {
		o.messages++
	}
	if o.isHAR {
		return o.har.Write(e)
	}
	return o.w.Write(e)
}

// close finishes the output; with ok false (the run failed) it removes the
// temporary file instead, and so it does when ctx ends (Ctrl-C) while a HAR
// file is written.
func (o *output) close(ctx context.Context, ok bool) error {
	var err error
	if ok {
		if o.isHAR {
			o.harDst.w = &ctxWriter{ctx: ctx, w: o.bar.writer(o.harDst.w)}
			err = o.har.Close()
			o.bar.finish()
		} else {
			err = o.w.Close()
		}
	}
	switch {
	case o.tmp == nil:
		return err
	case err != nil:
		o.tmp.abort()
		return fmt.Errorf("write %s: %v", o.path, err)
	case !ok:
		o.tmp.abort()
		return nil
	}
	return o.tmp.commit()
}

// progressSwitch is where a HAR file goes: the file, and, at close, the
// file through the progress bar and the context.
type progressSwitch struct{ w io.Writer }

func (p *progressSwitch) Write(b []byte) (int, error) { return p.w.Write(b) }
