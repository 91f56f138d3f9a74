package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/recorder/browser"
)

// recordBrowserFlags are record's flags for recording from a browser
// (record --browser [URL], record --attach ADDR) in place of the proxy.
func recordBrowserFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "browser", Usage: "record from a Chromium started for it, on the page URL given as argument, through its DevTools protocol: no proxy (its flags do not apply: --upstream, --listen, --latency, --fault, --admin...)"},
		&cli.StringFlag{Name: "attach", Usage: "record from a Chromium you started with --remote-debugging-port, at `ADDR` (ws://127.0.0.1:9222), until Ctrl-C or the browser closes"},
		&cli.StringFlag{Name: "chromium", Usage: "with --browser: the browser's executable `PATH` (default: chromium, chromium-browser or google-chrome on PATH)"},
		&cli.StringFlag{Name: "profile", Usage: "with --browser: use and keep this user data `DIR` (default: a fresh temporary profile, removed at the end)"},
		&cli.BoolFlag{Name: "headless", Usage: "with --browser: run the browser without a window (tests, CI)"},
	}
}

// browserMode reports whether record records from a browser.
func browserMode(c *cli.Context) bool { return c.Bool("browser") || c.String("attach") != "" }

// runRecordBrowser is record --browser / --attach: the same sink, files
// and redaction as the proxy, the traffic read from the browser.
func runRecordBrowser(c *cli.Context) error {
	rec, open, err := browserOptions(c)
	if err != nil {
		return err
	}
	log, err := newLogger(c)
	if err != nil {
		return err
	}
	rec.Logger = log
	to, err := recordOut(c, log)
	if err != nil {
		return err
	}
	sink, _, err := openSink(c, log, to.out, to.toFile, rec.MaxMessageSize)
	if err != nil {
		return err
	}
	defer sink.Close()
	rec.Sink = sink
	if to.up != nil {
		to.up.start(c.Context)
	}
	addr, stop, err := browserAddr(c, open)
	if err != nil {
		return err
	}
	defer stop()
	stderr := c.App.ErrWriter
	rec.Attached = func() {
		say(stderr, "recording from the browser to "+to.out+" (Ctrl-C or closing the browser ends it)", "recording", "to", to.out, "via", "browser")
	}
	if err := rec.Run(c.Context, addr); err != nil {
		return err
	}
	serr := to.closeSink(stderr, sink)
	st := sink.Counts()
	say(stderr, fmt.Sprintf("recorded %d sessions", st.Sessions), "recorded", "sessions", st.Sessions)
	return serr
}

// proxyOnlyFlags are record's flags that act on the proxy, which
// recording from a browser does not start: given with --browser or
// --attach they are refused, not ignored (a fault or an admin listener
// the user asked for and did not get). The admin listener is the proxy's
// too: its /faults act on the proxy's traffic, and browser mode has no
// readiness or metrics to serve.
var proxyOnlyFlags = []string{"upstream", "listen", "tls-cert", "tls-key", "record-path", "record-header", "record-cookie", "sample",
	"partial-budget", "handshake-timeout", "idle-timeout", "insecure-upstream-tls",
	"latency", "bandwidth", "stall-at", "fault", "admin", "admin-recordings", "admin-allow-host"}

// browserOptions maps record's flags onto a browser.Recorder, and returns
// the page to open (--browser's argument).
func browserOptions(c *cli.Context) (*browser.Recorder, string, error) {
	if c.Bool("browser") && c.String("attach") != "" {
		return nil, "", usagef("record: --browser starts a browser and --attach records from yours: give one")
	}
	for _, name := range proxyOnlyFlags {
		if c.IsSet(name) {
			return nil, "", usagef("record: --%s does not apply to recording from a browser (--browser, --attach)", name)
		}
	}
	if !c.Bool("browser") {
		for _, name := range []string{"chromium", "profile", "headless"} {
			if c.IsSet(name) {
				return nil, "", usagef("record: --%s needs --browser (--attach records from a browser you started)", name)
			}
		}
	}
	open, err := browserPage(c)
	if err != nil {
		return nil, "", err
	}
	maxSize, err := parseSize("max-message-size", c.String("max-message-size"))
	if err != nil {
		return nil, "", err
	}
	if maxSize > format.MaxMessageSize {
		return nil, "", usagef("--max-message-size: %s is over 128MiB, the largest message a recording holds", c.String("max-message-size"))
	}
	red, err := redactionOptions(c)
	if err != nil {
		return nil, "", err
	}
	polls, pollIdle, err := pollOptions(c)
	if err != nil {
		return nil, "", err
	}
	proto, err := parseProtocol(c.String("protocol"))
	if err != nil {
		return nil, "", err
	}
	return &browser.Recorder{Redaction: red, Poll: polls, PollIdle: pollIdle, Protocol: proto,
		NoEngineIO: c.Bool("no-engineio"), MaxMessageSize: maxSize, Open: open}, open, nil
}

// browserPage checks --browser's URL argument (none: a blank tab).
func browserPage(c *cli.Context) (string, error) {
	switch {
	case c.NArg() > 1:
		return "", usagef("record --browser takes one page URL (got %d arguments)", c.NArg())
	case c.NArg() == 0:
		return "", nil
	case !c.Bool("browser"):
		return "", usagef("record takes no arguments (got %q); with --attach, open the page in your browser", c.Args().First())
	}
	u, err := url.Parse(c.Args().First())
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Scheme != "file" && u.Scheme != "about") {
		return "", usagef("record --browser: not a page URL: %q (want http://localhost:5173/ or the like)", c.Args().First())
	}
	return u.String(), nil
}

// browserAddr starts the browser (--browser) or finds the user's
// (--attach), and returns its DevTools address and what stops it.
func browserAddr(c *cli.Context, open string) (string, func(), error) {
	ctx, cancel := context.WithTimeout(c.Context, 30*time.Second)
	defer cancel()
	if a := c.String("attach"); a != "" {
		addr, err := browser.DebuggerURL(ctx, a)
		if err != nil {
			return "", nil, hinted{fmt.Errorf("--attach: %v", err),
				"start Chromium with --remote-debugging-port=9222 and give --attach ws://127.0.0.1:9222"}
		}
		return addr, func() {}, nil
	}
	addr, _, stop, err := browser.Launch(c.Context, &browser.LaunchOptions{Exec: c.String("chromium"),
		Profile: c.String("profile"), Headless: c.Bool("headless")})
	if err != nil {
		return "", nil, hinted{fmt.Errorf("--browser: %v", err), "give the browser with --chromium PATH, or add --headless where there is no display"}
	}
	return addr, stop, nil
}
