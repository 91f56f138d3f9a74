package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/format/har"
	"github.com/wsreplay/wsreplay/replayer"
)

// output writes events to a file or standard output as wsreplay NDJSON (in
// the compression the file name asks for) or as HAR. A file is an
// atomicFile, renamed into place at close, so a failed run leaves no
// half-written file behind.
type output struct {
	path     string      // "-" for stdout
	tmp      *atomicFile // nil for stdout
	w        *format.Writer
	har      []*format.Event // HAR and HTML are one document: collected, written at Close
	isHAR    bool
	isHTML   bool // the timeline page of one session, read-only (replayer.WriteTimeline)
	stdout   io.Writer
	sessions map[string]bool
	messages int
	bar      *progress // counts the bytes of a HAR written at close; nil: none
	version  string    // of wsreplay, for a HAR file's "log.creator"
}

// newOutput opens path for writing; kind is "", "ndjson" or "har" ("":
// by the name, .har for HAR). version names this wsreplay in a HAR file.
func newOutput(path, kind, version string, stdout io.Writer) (*output, error) {
	o := &output{path: path, stdout: stdout, sessions: map[string]bool{}, version: version}
	switch kind {
	case "":
		lower := strings.ToLower(path)
		o.isHAR = strings.HasSuffix(lower, ".har")
		o.isHTML = strings.HasSuffix(lower, ".html") || strings.HasSuffix(lower, ".htm")
	case "har":
		o.isHAR = true
	case "html":
		o.isHTML = true
	case "ndjson":
	default:
		return nil, usagef("--format: %q is not ndjson, har or html", kind)
	}
	var dst io.Writer = stdout
	if path != "-" {
		f, err := createAtomic(path)
		if err != nil {
			return nil, err
		}
		o.tmp, dst = f, f
	}
	if !o.isHAR && !o.isHTML {
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
	if o.isHAR || o.isHTML {
		if o.isHTML && len(o.sessions) > 1 {
			return errHTMLSessions
		}
		o.har = append(o.har, e)
		return nil
	}
	return o.w.Write(e)
}

// close finishes the output; with ok false (the run failed) it removes the
// temporary file instead, and so it does when ctx ends (Ctrl-C) while a HAR
// file is written.
func (o *output) close(ctx context.Context, ok bool) error {
	var err error
	if ok {
		switch {
		case o.isHTML:
			err = o.writeHTML()
		case o.isHAR:
			var dst io.Writer = o.stdout
			if o.tmp != nil {
				dst = o.tmp
			}
			err = har.Write(&ctxWriter{ctx: ctx, w: o.bar.writer(dst)}, o.har,
				&har.WriteOptions{Creator: har.Creator{Name: "wsreplay", Version: o.version}})
			o.bar.finish()
		default:
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

// errHTMLSessions is the error for an HTML timeline asked of several
// sessions.
var errHTMLSessions = hinted{errors.New("an HTML timeline holds one session, and the input has several"),
	"choose one with --session ID (wsreplay ls lists them)"}

// writeHTML writes the one session held as a self-contained timeline page.
func (o *output) writeHTML() error {
	var dst io.Writer = o.stdout
	if o.tmp != nil {
		dst = o.tmp
	}
	sess := replayer.TimelineSession{}
	i := 0
	if len(o.har) > 0 {
		sess.ID = o.har[0].Session
		if o.har[0].Type == format.TypeSession {
			sess.URL = o.har[0].URL
		}
	}
	sess.Next = func() (*format.Event, error) {
		if i == len(o.har) {
			return nil, io.EOF
		}
		i++
		return o.har[i-1], nil
	}
	return replayer.WriteTimeline(dst, sess)
}
