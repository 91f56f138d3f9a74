package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
)

// newLogger logs to stderr as --log-format and --log-level ask (--verbose
// is debug), each line with its time, date and zone.
func newLogger(c *cli.Context) (*slog.Logger, error) { return newLoggerOn(c, c.App.ErrWriter) }

// newLoggerOn is newLogger writing to w. Under --log-format json, standard
// error is a *jsonLines (see useLogFormat), and the logger writes its
// records straight to the stream under it.
func newLoggerOn(c *cli.Context, w io.Writer) (*slog.Logger, error) {
	level := slog.LevelInfo
	if s := c.String("log-level"); s != "" {
		if err := level.UnmarshalText([]byte(s)); err != nil {
			return nil, usagef("--log-level: %q is not debug, info, warn or error", s)
		}
	}
	if c.Bool("verbose") {
		level = slog.LevelDebug
	}
	if jl, ok := c.App.ErrWriter.(*jsonLines); ok {
		w = jl.raw
	}
	switch f := strings.ToLower(c.String("log-format")); f {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, handlerOptions(level))), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, handlerOptions(level))), nil
	default:
		return nil, usagef("--log-format: %q is not text or json", f)
	}
}

// handlerOptions are the log handlers' options: records from level up,
// each time with its date and zone.
func handlerOptions(level slog.Level) *slog.HandlerOptions {
	return &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.String("time", a.Value.Time().Format("2006-01-02T15:04:05.000Z07:00"))
			}
			return a
		},
	}
}

// useLogFormat is part of the Before of the commands that take
// --log-format: with json, standard error becomes a *jsonLines, so that
// every line the command writes there is a JSON record, the lines meant for
// people (listening on, recorded 3 of 3 sessions, warnings, the final
// error) included.
func useLogFormat(c *cli.Context) error {
	if strings.ToLower(c.String("log-format")) != "json" {
		return nil
	}
	if _, ok := c.App.ErrWriter.(*jsonLines); ok {
		return nil
	}
	raw := c.App.ErrWriter
	// Lines for people are never filtered by --log-level, as in text mode.
	c.App.ErrWriter = &jsonLines{raw: raw, log: slog.New(slog.NewJSONHandler(raw, handlerOptions(slog.LevelDebug)))}
	return nil
}

// jsonLines is standard error under --log-format json. Each line written to
// it becomes the msg of a JSON record: "wsreplay: warning: X" a WARN record
// of X, "wsreplay: X" an ERROR record of X, any other line an INFO record.
// say logs structured records through it instead. It is safe for
// concurrent use; raw is the stream under it, which it does not close.
type jsonLines struct {
	raw io.Writer
	log *slog.Logger

	mu      sync.Mutex
	partial []byte // a line not yet ended
}

func (j *jsonLines) Write(p []byte) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.partial = append(j.partial, p...)
	for {
		i := bytes.IndexByte(j.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := strings.TrimRight(string(j.partial[:i]), "\r")
		j.partial = j.partial[i+1:]
		if strings.TrimSpace(line) != "" {
			j.logLine(line)
		}
	}
}

func (j *jsonLines) logLine(line string) {
	level := slog.LevelInfo
	if rest, ok := strings.CutPrefix(line, "wsreplay: warning: "); ok {
		level, line = slog.LevelWarn, rest
	} else if rest, ok := strings.CutPrefix(line, "wsreplay: "); ok {
		level, line = slog.LevelError, rest
	}
	j.log.Log(context.Background(), level, strings.TrimSpace(line))
}

// say tells the person running the command something (where it listens,
// what it recorded): text, as it is, in text mode; under --log-format json,
// a record of msg with attrs.
func say(w io.Writer, text, msg string, attrs ...any) {
	if jl, ok := w.(*jsonLines); ok {
		jl.log.Info(msg, attrs...)
		return
	}
	fmt.Fprintln(w, text)
}

// sayError reports the error that ends the command: "wsreplay: ERR" and a
// hint line in text mode, one ERROR record with the hint under --log-format
// json.
func sayError(w io.Writer, err error, hint string) {
	if jl, ok := w.(*jsonLines); ok {
		attrs := []any{}
		if hint != "" {
			attrs = append(attrs, "hint", printable(hint))
		}
		jl.log.Error(printable(err.Error()), attrs...)
		return
	}
	fmt.Fprintf(w, "wsreplay: %s\n", printable(err.Error()))
	if hint != "" {
		fmt.Fprintf(w, "hint: %s\n", printable(hint))
	}
}

// logStatus calls status every --status-interval until stop is called,
// unless --quiet: status logs a line when there is something to say.
func logStatus(c *cli.Context, status func()) (stop func(), err error) {
	every, err := durationFlag(c, "status-interval")
	if err != nil || c.Bool("quiet") || every <= 0 {
		return func() {}, err
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				status()
			}
		}
	}()
	return func() { close(quit); <-done }, nil
}
