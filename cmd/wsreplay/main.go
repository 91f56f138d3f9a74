// Command wsreplay records WebSocket traffic through a reverse proxy and
// replays it from a local server. See the README for a tour and docs/ for
// the reference.
//
// This package only maps flags onto the option structs of the format,
// recorder and replayer packages and reports errors; the work is done there.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/urfave/cli/v2"
)

func main() {
	// The first SIGINT or SIGTERM ends long-running commands gracefully;
	// once it has arrived the default action is back, so a second one
	// exits at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	stopProfile := startProfile()
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}

// startProfile writes a CPU profile to $WSREPLAY_CPUPROFILE, if set, for
// performance work on the real command (see internal/bench).
func startProfile() (stop func()) {
	path := os.Getenv("WSREPLAY_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wsreplay: WSREPLAY_CPUPROFILE: %v\n", err)
		return func() {}
	}
	pprof.StartCPUProfile(f)
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// usageError marks errors in how the command was called; they exit 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// run runs the command line args and returns the exit status. Long-running
// commands end when ctx does.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	args, err := permuteArgs(app, args)
	if err == nil {
		err = fromVariable(app, args, app.RunContext(ctx, args))
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, errInterrupted) || ctx.Err() != nil {
		// Ctrl-C: the command stopped where it was and cleaned up; the
		// user knows why.
		return exitInterrupted
	}
	// Errors name files and quote input: a planted file name must not
	// drive the terminal (sayError makes them printable).
	var h hinted
	errors.As(err, &h)
	if jl, ok := app.ErrWriter.(*jsonLines); ok {
		stderr = jl // --log-format json: the error is a record too
	}
	sayError(stderr, err, h.hint)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// hinted is an error with a suggestion printed on a line of its own.
type hinted struct {
	error
	hint string
}

func (h hinted) Unwrap() error { return h.error }

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "wsreplay",
		Usage:     "record WebSocket traffic and replay it to any client",
		Version:   version(),
		Writer:    stdout,
		ErrWriter: stderr,
		Commands: []*cli.Command{
			recordCommand(),
			serveCommand(),
			lsCommand(),
			catCommand(),
			convertCommand(),
			importCommand(),
			completionCommand(),
			diffCommand(),
			exportCommand(),
			driveCommand(),
		},
		EnableBashCompletion: true,
		HideHelpCommand:      false,
		// Errors are printed once, by run, as one line.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return flagUsageError(c, err)
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = func(c *cli.Context, err error, _ bool) error { return flagUsageError(c, err) }
		if s3Commands[c.Name] {
			c.Flags = append(c.Flags, s3Flags()...)
			c.Before, c.After = withS3, closeS3
		}
		if c.Name == "record" || c.Name == "serve" {
			fromEnv(c) // the long-running ones, configured in containers
			c.Before = beforeAll(useLogFormat, warnUnknownEnv, c.Before)
		}
	}
	return app
}

// beforeAll is a Before that runs each non-nil hook in turn, stopping at
// the first error.
func beforeAll(hooks ...cli.BeforeFunc) cli.BeforeFunc {
	return func(c *cli.Context) error {
		for _, h := range hooks {
			if h == nil {
				continue
			}
			if err := h(c); err != nil {
				return err
			}
		}
		return nil
	}
}
