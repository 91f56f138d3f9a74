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
	har      *har.Writer     // writes each session's entry once it has ended
	html     []*format.Event // the one session of an HTML timeline: collected, written at close
	isHTML   bool            // the timeline page of one session, read-only (replayer.WriteTimeline)
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
	switch {
	case o.isHAR:
		o.harDst = &progressSwitch{w: dst}
		o.har = har.NewWriter(o.harDst, &har.WriteOptions{Creator: har.Creator{Name: "wsreplay", Version: version}})
	case o.isHTML:
		o.harDst = &progressSwitch{w: dst}
	default:
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
	switch {
	case o.isHAR:
		return o.har.Write(e)
	case o.isHTML:
		if len(o.sessions) > 1 {
			return errHTMLSessions
		}
		o.html = append(o.html, e)
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
			err = o.writeHTML(&ctxWriter{ctx: ctx, w: o.harDst.w})
		case o.isHAR:
			o.harDst.w = &ctxWriter{ctx: ctx, w: o.bar.writer(o.harDst.w)}
			err = o.har.Close()
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

// progressSwitch is where a HAR file goes: the file, and, at close, the
// file through the progress bar and the context.
type progressSwitch struct{ w io.Writer }

func (p *progressSwitch) Write(b []byte) (int, error) { return p.w.Write(b) }

// errHTMLSessions is the error for an HTML timeline asked of several
// sessions.
var errHTMLSessions = hinted{errors.New("an HTML timeline holds one session, and the input has several"),
	"choose one with --session ID (wsreplay ls lists them)"}

// writeHTML writes the one session held as a self-contained timeline page.
func (o *output) writeHTML(dst io.Writer) error {
	sess := replayer.TimelineSession{}
	i := 0
	if len(o.html) > 0 {
		sess.ID = o.html[0].Session
		if o.html[0].Type == format.TypeSession {
			sess.URL = o.html[0].URL
		}
	}
	sess.Next = func() (*format.Event, error) {
		if i == len(o.html) {
			return nil, io.EOF
		}
		i++
		return o.html[i-1], nil
	}
	return replayer.WriteTimeline(dst, sess)
}
