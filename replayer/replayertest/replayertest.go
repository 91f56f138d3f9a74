package replayertest

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/protocol"
	"github.com/wsreplay/wsreplay/replayer"
)

// Options configure a replay. The fields but InMemory are those of
// replayer.Server of the same names (and of the "wsreplay serve" flags);
// the zero value replays every session at its recorded pace with its
// recorded ending, over loopback TCP. A nil *Options is the zero value.
type Options struct {
	Speed       float64 // zero: 1, the recorded pace; math.Inf(1): no waiting
	MaxGap      time.Duration
	From        time.Duration
	DropBefore  bool
	Loop        bool
	Sessions    []string // session ids to play; nil: all
	Wait        bool
	Heartbeats  []replayer.Heartbeat
	DropAt      time.Duration
	CloseAt     time.Duration
	CloseCode   int
	CloseReason string
	HangAt      time.Duration
	Refuse      int
	Paused      bool
	// Protocols are the protocol profiles replays may speak (a nil Set:
	// protocol.Default()): a test of its own profile passes it here.
	Protocols protocol.Set
	// Logger receives the replay server's log. Nil: none.
	Logger *slog.Logger

	// InMemory serves over in-memory connections instead of a loopback
	// TCP listener: required under testing/synctest, where a goroutine
	// blocked on a real socket keeps the fake clock from advancing.
	// Clients must then dial with HTTPClient or DialContext.
	InMemory bool
}

// Server is a replay running for a test. Its fields must not be changed.
type Server struct {
	// URL is the server's base WebSocket URL, without a path: a loopback
	// address, or ws://replay.localhost when in memory.
	URL string
	// Replayer is the replay server; Catalog, the recording indexed.
	Replayer *replayer.Server
	Catalog  *replayer.Catalog

	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
	client *http.Client
}

// Start indexes the recording at path (wsreplay NDJSON in any compression,
// or HAR) and serves it until the test ends. A recording that cannot be
// read fails the test at once.
func Start(tb testing.TB, path string, opts *Options) *Server {
	tb.Helper()
	var o Options
	if opts != nil {
		o = *opts
	}
	cat, err := replayer.Open(replayer.File(path))
	if err != nil {
		tb.Fatalf("replayertest: %v", err)
	}
	if err := cat.Wait(context.Background()); err != nil {
		cat.Close()
		tb.Fatalf("replayertest: %v", err)
	}
	s := &Server{Catalog: cat, Replayer: o.server(cat)}
	var stop func()
	if o.InMemory {
		stop = s.listenInMemory()
	} else {
		stop = s.listenLoopback()
	}
	s.client = &http.Client{Transport: &http.Transport{DialContext: s.dial, ForceAttemptHTTP2: false}}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Replayer.Shutdown(ctx); err != nil {
			tb.Errorf("replayertest: shut down the replay: %v", err)
		}
		stop()
		s.client.CloseIdleConnections()
		cat.Close()
	})
	return s
}

// server maps the options onto a replayer.Server.
func (o *Options) server(cat *replayer.Catalog) *replayer.Server {
	return &replayer.Server{
		Catalog: cat, Speed: o.Speed, MaxGap: o.MaxGap, From: o.From, DropBefore: o.DropBefore,
		Loop: o.Loop, Sessions: o.Sessions, Wait: o.Wait, Heartbeats: o.Heartbeats,
		DropAt: o.DropAt, CloseAt: o.CloseAt, CloseCode: o.CloseCode, CloseReason: o.CloseReason,
		HangAt: o.HangAt, Refuse: o.Refuse, Paused: o.Paused, Protocols: o.Protocols, Logger: o.Logger,
	}
}

// listenLoopback serves on a loopback TCP port.
func (s *Server) listenLoopback() (stop func()) {
	ts := httptest.NewServer(s.Replayer)
	s.URL = "ws" + strings.TrimPrefix(ts.URL, "http")
	addr := ts.Listener.Addr().String()
	var d net.Dialer
	s.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return ts.Close
}

// listenInMemory serves connections made by s.dial over net.Pipe.
func (s *Server) listenInMemory() (stop func()) {
	l := newPipeListener()
	hs := &http.Server{Handler: s.Replayer}
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.Serve(l)
	}()
	s.URL = "ws://replay.localhost"
	s.dial = l.dial
	return func() {
		hs.Close()
		<-done
	}
}

// HTTPClient returns a client whose connections reach this server whatever
// host a URL names; pass it to websocket.DialOptions.HTTPClient
// (github.com/coder/websocket) or use its Transport.
func (s *Server) HTTPClient() *http.Client { return s.client }

// DialContext connects to this server whatever addr says, for clients that
// take a dial function (gorilla/websocket's Dialer.NetDialContext).
func (s *Server) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return s.dial(ctx, network, addr)
}
