package main

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// progressAfter is how long work runs before it shows progress: shorter
// work stays silent.
const progressAfter = time.Second

// progress shows how far long work has come, on stderr, only when stderr is
// a terminal and not under CI: nothing when piped, redirected or in tests.
// The bar appears once the work has run for progressAfter; with no known
// total it is a spinner with the time elapsed. A nil *progress shows
// nothing; its methods are safe for concurrent use.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	desc  string
	total int64 // -1: unknown
	bytes bool  // count bytes rather than items
	n     int64
	timer *time.Timer // shows the bar
	bar   *progressbar.ProgressBar
	done  bool
}

// newProgress returns a progress of total items (-1: unknown), or nil when
// stderr is no terminal.
func newProgress(c *cli.Context, total int, desc string) *progress {
	return newProgressOf(c, int64(total), desc, false)
}

// newByteProgress returns a progress of total bytes (-1: unknown).
func newByteProgress(c *cli.Context, total int64, desc string) *progress {
	return newProgressOf(c, total, desc, true)
}

func newProgressOf(c *cli.Context, total int64, desc string, bytes bool) *progress {
	if !showsProgress(c.App.ErrWriter) {
		return nil
	}
	p := &progress{w: c.App.ErrWriter, desc: desc, total: total, bytes: bytes}
	p.timer = time.AfterFunc(progressAfter, p.show)
	return p
}

// showsProgress reports whether progress may be drawn on w: a terminal,
// not under CI.
func showsProgress(w io.Writer) bool {
	if os.Getenv("CI") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// show puts the bar on the screen, once the work has taken progressAfter.
func (p *progress) show() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.desc),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionSetElapsedTime(true),
	}
	if p.bytes {
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionUseIECUnits(true))
	} else {
		opts = append(opts, progressbar.OptionShowCount())
	}
	if p.total < 0 {
		// A spinner that turns on its own: work such as encoding a
		// HAR file says nothing while it runs.
		opts = append(opts, progressbar.OptionSetSpinnerChangeInterval(100*time.Millisecond))
	}
	p.bar = progressbar.NewOptions64(p.total, opts...)
	p.bar.RenderBlank() // starts the bar, and the spinner's own turning
	p.bar.Set64(p.n)
}

func (p *progress) add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += int64(n)
	if p.bar != nil {
		p.bar.Set64(p.n)
	}
}

// clear takes the bar off the screen before something else is printed; it
// comes back at the next add.
func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Clear()
	}
}

// finish takes the bar away for good.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	p.timer.Stop()
	if p.bar != nil {
		p.bar.Finish()
		p.bar.Clear()
		p.bar = nil
	}
}

// reader counts what is read through it.
func (p *progress) reader(r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	return &progressReader{p: p, r: r}
}

type progressReader struct {
	p *progress
	r io.Reader
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.p.add(n)
	return n, err
}

// writer counts what is written through it.
func (p *progress) writer(w io.Writer) io.Writer {
	if p == nil {
		return w
	}
	return &progressWriter{p: p, w: w}
}

type progressWriter struct {
	p *progress
	w io.Writer
}

func (w *progressWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.p.add(n)
	return n, err
}

// clearing returns a writer to w that takes the bar off the screen before
// each write, for log lines printed while the bar shows.
func (p *progress) clearing(w io.Writer) io.Writer {
	if p == nil {
		return w
	}
	return &clearingWriter{p: p, w: w}
}

type clearingWriter struct {
	p *progress
	w io.Writer
}

func (c *clearingWriter) Write(b []byte) (int, error) {
	c.p.clear()
	return c.w.Write(b)
}

// fileSize is the size of a named file, or -1 when unknown (stdin).
func fileSize(path string) int64 {
	if path == "-" {
		return -1
	}
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return -1
	}
	return info.Size()
}
