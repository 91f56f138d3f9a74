package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/replayer"
)

// The timeline pages and the control API of serve live on a listener of
// their own (--control-listen, a free loopback port by default), never on
// the replay port: an origin that serves recordings (whose content no one
// vouches for) and that earlier servers on that port may have left a
// service worker on must share nothing with the one that reads and steers
// the replays.

// startControl listens for the control (unless --no-control), tells srv
// where it is, and serves it until the returned stop is called. replay is
// the replay port's address, which the session list gives clients.
func startControl(c *cli.Context, srv *replayer.Server, replay string) (l net.Listener, stop func(), err error) {
	if srv.NoControl {
		if c.IsSet("control-listen") {
			return nil, nil, usagef("--control-listen: there is no control to serve with --no-control")
		}
		return nil, func() {}, nil
	}
	addr := controlAddr(c, srv)
	if l, err = listenFlag("control-listen", addr); err != nil {
		return nil, nil, err
	}
	if !isLoopback(l.Addr()) && !srv.ControlRemote {
		l.Close()
		return nil, nil, hinted{usagef("--control-listen: %s is reachable from other machines, and the control reads every recording", addr),
			"add --control-remote (requests off loopback then need the control token), or listen on 127.0.0.1"}
	}
	host, _ := clientAddr(l.Addr())
	srv.ControlURL = "http://" + host
	hs := &http.Server{Handler: srv.ControlHandler(replay), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			srv.Logger.Error("control listener stopped", "error", err.Error())
		}
	}()
	return l, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(ctx) // the events streams end with the replays' shutdown
		hs.Close()
		<-served
	}, nil
}

// controlAddr is where the control listens: --control-listen, else a free
// port on loopback, or with --control-remote on --listen's host.
func controlAddr(c *cli.Context, srv *replayer.Server) string {
	if c.IsSet("control-listen") {
		return c.String("control-listen")
	}
	if srv.ControlRemote {
		if host, _, err := net.SplitHostPort(c.String("listen")); err == nil {
			return net.JoinHostPort(host, "0")
		}
	}
	return "127.0.0.1:0"
}

// checkTokenLogging refuses a generated control token under --log-format
// json: printing it would write it into the logs, where the secret does
// not belong; the user gives one instead.
func checkTokenLogging(c *cli.Context, srv *replayer.Server) error {
	if !srv.ControlRemote || c.String("control-token") != "" || !strings.EqualFold(c.String("log-format"), "json") {
		return nil
	}
	return hinted{usagef("--control-remote with --log-format json: a generated control token would be written into the logs"),
		"give the token in WSREPLAY_CONTROL_TOKEN (16 characters or more)"}
}

// printTimeline says where the timeline pages are, when they are served,
// and the control token when it was generated (not given).
func printTimeline(stderr io.Writer, srv *replayer.Server, generatedToken bool) {
	if srv.ControlURL == "" {
		return
	}
	base := srv.ControlURL + "/"
	if !srv.ControlRemote {
		say(stderr, "timeline and controls on "+base, "timeline and controls", "url", base)
		return
	}
	// Off loopback the pages and the API need the token: the URL gives it
	// to a browser once (it is then kept as a cookie). A token the user
	// chose (--control-token) is theirs to know, and is not printed.
	if generatedToken {
		u := fmt.Sprintf("%s_wsreplay/?token=%s", base, url.QueryEscape(srv.ControlToken))
		say(stderr, "timeline and controls on "+u, "timeline and controls", "url", u)
		say(stderr, "control token (off loopback, send Authorization: Bearer TOKEN): "+srv.ControlToken, "control token", "token", srv.ControlToken)
		return
	}
	say(stderr, fmt.Sprintf("timeline and controls on %s_wsreplay/?token=TOKEN (the --control-token)", base), "timeline and controls", "url", base)
}
