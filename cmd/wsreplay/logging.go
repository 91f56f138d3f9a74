package main

import (
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// newLogger logs to stderr as --log-format and --log-level ask (--verbose
// is debug), each line with its time, date and zone.
func newLogger(c *cli.Context) (*slog.Logger, error) { return newLoggerOn(c, c.App.ErrWriter) }

// newLoggerOn is newLogger writing to w.
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
	opts := &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.String("time", a.Value.Time().Format("2006-01-02T15:04:05.000Z07:00"))
			}
			return a
		},
	}
	switch f := strings.ToLower(c.String("log-format")); f {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, usagef("--log-format: %q is not text or json", f)
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
