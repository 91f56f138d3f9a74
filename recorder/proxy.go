package recorder

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsreplay/wsreplay/internal/drain"
	"github.com/wsreplay/wsreplay/internal/ws"
	"github.com/wsreplay/wsreplay/protocol"
)

// DefaultMaxMessageSize is the largest message relayed when
// Proxy.MaxMessageSize is zero: far above coder/websocket's 32 KiB default,
// which real applications exceed.
const DefaultMaxMessageSize = ws.DefaultMaxMessageSize

// DefaultHandshakeTimeout bounds the upstream handshake when
// Proxy.HandshakeTimeout is zero.
const DefaultHandshakeTimeout = 10 * time.Second

// Proxy is a recording reverse proxy. It is an http.Handler: a WebSocket
// connection is relayed to Upstream, with the same path and query, and
// recorded as a session into Sink; any other request is passed through to
// the upstream's http(s) equivalent, unchanged and unrecorded, but for
// Engine.IO polling, whose packets are recorded with the sid's WebSocket
// as one session (engineio.go), and a protocol's bootstrap (SockJS /info,
// SignalR negotiate), recorded as a small session of its own
// (bootstrap.go).
//
// The traffic comes first: recording problems are logged and counted, never
// passed on to the connections. Close codes and reasons are mirrored from
// either side to the other; an upstream that vanishes without a close frame
// makes the proxy drop the client the same way.
//
// Set the fields before serving and do not change them after. A Proxy is
// safe for concurrent use. Shutdown ends every session; the caller closes
// Sink after it.
type Proxy struct {
	// Upstream is the backend's base URL, ws:// or wss://, with an
	// optional path prefix that request paths are joined to. Required.
	Upstream *url.URL
	// Sink receives the recordings. Nil: relay without recording.
	Sink Sink
	// Faults, if set, are faults applied to live traffic, only as asked
	// (faults.go): what the server sends WebSocket clients goes through
	// them, and they are recorded. Nil: none; every byte is relayed as it
	// comes.
	Faults *Faults
	// Protocols are the protocol profiles the recorder knows: a
	// WebSocket session whose upgrade one of them recognises (its
	// subprotocol, path and query) has it named on its session line
	// (protocol.go), and a plain request a Bootstrapper names is recorded
	// as its bootstrap (bootstrap.go). Nil: protocol.Default();
	// protocol.Set{}: none.
	Protocols protocol.Set
	// Protocol, when set, is named on every WebSocket session line
	// instead: a profile's name, or protocol.NoProtocol.
	Protocol string
	// MaxMessageSize bounds messages both ways; a larger one closes both
	// legs with 1009 (message too big). Zero means DefaultMaxMessageSize;
	// more than format.MaxMessageSize (128 MiB) means format.MaxMessageSize,
	// the largest message whose recording every reader accepts.
	MaxMessageSize int64
	// PartialBudget bounds the memory held for recording, across all
	// sessions: messages still being received, HTTP bodies (Engine.IO
	// polling, --poll exchanges) until they are whole and recorded, and
	// event-stream lines being read. A message or body that would pass it
	// is relayed as always but not recorded: it is counted in its
	// session's "lost" and logged once per session. Zero means
	// DefaultPartialBudget (256 MiB).
	PartialBudget int64
	// HandshakeTimeout bounds dialing the upstream and its WebSocket
	// handshake; past it the client gets 504. Zero means
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// TLSConfig is used to dial wss:// and https:// upstreams. Nil: the
	// system's roots.
	TLSConfig *tls.Config
	// Redaction says what to hide in recordings. The zero value hides
	// the usual secrets.
	Redaction Redaction
	// Logger gets a line per session start and end, and recording
	// problems. Nil: none.
	Logger *slog.Logger
	// Filter chooses the connections that are recorded. The zero value
	// records all.
	Filter Filter
	// Poll are the paths of HTTP long-polling endpoints ("/poll"), or
	// prefixes of them ending in "*" ("/api/poll/*"): each poller's
	// exchanges on them are recorded as a session of kind poll (poll.go
	// says how pollers are told apart). Nil: none. Responses with
	// Content-Type text/event-stream are recorded as sessions of kind sse
	// on any path.
	Poll []string
	// PollIdle ends a poller's session when it has sent no request for
	// this long since its last exchange ended. Zero means
	// DefaultPollIdle.
	PollIdle time.Duration
	// Room, if set, is asked before each session is recorded; false
	// relays the session unrecorded (Retention.Room: a disk below its
	// free-space floor). Nil: always room.
	Room func() bool
	// NoEngineIO turns off Engine.IO (Socket.IO) detection: requests whose
	// query has EIO= and transport= are then relayed as any other, their
	// polling unrecorded and each WebSocket a session of its own. False:
	// one Engine.IO sid, polling and WebSocket, is one session.
	NoEngineIO bool

	initOnce   sync.Once
	passthru   *httputil.ReverseProxy
	redact     func([]byte) ([]byte, bool) // Redaction.Message, made once (redactText)
	redactOnce sync.Once
	pollers    pollers         // the sessions of Poll's pollers
	boots      BootstrapTokens // secrets recorded bootstraps handed out (bootstrap_tokens.go)
	signalR    signalRConns    // SignalR connections on HTTP transports (signalr.go)
	streams    streams         // the event streams being recorded

	stats   proxyStats
	partial atomic.Int64 // bytes of PartialBudget taken

	recording    workGroup    // Engine.IO recording goroutines, and close lines being written (writeClose)
	recorders    atomic.Int64 // the Engine.IO recording goroutines running (waitRecording)
	notEIOLogged atomic.Bool  // a response not an Engine.IO payload was logged

	mu       sync.Mutex
	sessions map[*session]struct{}
	eio      eioRegistry // Engine.IO sessions by sid
	sockjs   sjRegistry  // SockJS sessions by <base>/<server>/<session> (sockjs.go)
	shutdown bool
	wg       sync.WaitGroup
}

func (p *Proxy) init() {
	p.initOnce.Do(func() {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = p.TLSConfig
		target := *p.Upstream
		target.Scheme = httpScheme(p.Upstream.Scheme)
		p.passthru = &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(&target)
				pr.SetXForwarded()
			},
			Transport:      tr,
			ErrorLog:       slog.NewLogLogger(p.logger().Handler(), slog.LevelWarn),
			ErrorHandler:   p.passthruError,
			ModifyResponse: p.modifyResponse,
		}
		p.sessions = map[*session]struct{}{}
	})
}

// redactText returns Redaction.Message, as a func made once, so that
// handing it to a RedactingSink with every message costs no allocation.
func (p *Proxy) redactText() func([]byte) ([]byte, bool) {
	p.redactOnce.Do(func() { p.redact = p.Redaction.Message })
	return p.redact
}

// passthruError answers a plain request the upstream did not: 502, and a
// log line as redacted as the recordings (the Transport's error names the
// whole URL, query and all).
func (p *Proxy) passthruError(w http.ResponseWriter, r *http.Request, err error) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	status := http.StatusBadGateway
	if errors.Is(err, context.Canceled) {
		status = 499 // the client left; nginx's code for it
	}
	p.logger().Warn("upstream request failed", "method", r.Method, "path", p.redactURL(r.URL), "status", status, "err", err)
	w.WriteHeader(status)
	if x := exchangeOf(r); x != nil && x.Failed != nil {
		x.Failed(err)
	}
}

func httpScheme(ws string) string {
	if ws == "wss" || ws == "https" {
		return "https"
	}
	return "http"
}

func (p *Proxy) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

// shuttingDown reports whether Shutdown has begun.
func (p *Proxy) shuttingDown() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.shutdown
}

// ServeHTTP relays and records a WebSocket connection, or passes a plain
// HTTP request through. For a WebSocket it returns once both handshakes are
// made; the session goes on, on goroutines of its own, until it ends or
// Shutdown ends it (the connection is hijacked: http.Server.Shutdown does
// not wait for it, Proxy.Shutdown does).
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.init()
	if !ws.IsUpgrade(r) {
		if r.Header.Get("Upgrade") != "" {
			r = p.withoutUpgrade(r)
		}
		p.passthru.ServeHTTP(w, p.observe(r)) // recorded if it belongs to a session (exchange.go)
		return
	}
	p.mu.Lock()
	if p.shutdown {
		p.mu.Unlock()
		http.Error(w, "wsreplay: shutting down", http.StatusServiceUnavailable)
		return
	}
	p.wg.Add(1)
	p.mu.Unlock()
	p.relay(w, r) // calls p.wg.Done when the session is over
}

// withoutUpgrade returns r as a plain HTTP request, for an upgrade to a
// protocol other than WebSocket (h2c, TLS): such a tunnel would carry
// traffic that is neither relayed frame by frame nor recorded. A server may
// ignore an Upgrade and answer in HTTP/1.1 (RFC 9110, section 7.8), and the
// client then goes on in HTTP/1.1.
func (p *Proxy) withoutUpgrade(r *http.Request) *http.Request {
	p.logger().Info("passing a request on without its Upgrade: only WebSocket upgrades are relayed",
		"upgrade", r.Header.Get("Upgrade"), "path", p.redactURL(r.URL))
	r = r.Clone(r.Context())
	for _, h := range []string{"Upgrade", "Connection", "Http2-Settings"} {
		r.Header.Del(h)
	}
	return r
}

// newSessionID returns a random id: 16 hex digits, from nothing the client
// sent, so that it is safe in a file name.
func newSessionID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Shutdown closes every session with 1001 (going away) on both legs and
// records it, then waits for them to end, or for ctx. New WebSocket
// connections get 503 from then on; event streams, polls and Engine.IO
// sessions that begin from then on are relayed unrecorded (a stream is
// ended), so that no line reaches Sink once Shutdown has returned. Event
// streams being recorded are ended (recorded as ended by the proxy); a
// poller's session ends now, or when its request in flight has its answer.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.init()
	p.mu.Lock()
	p.shutdown = true
	for s := range p.sessions {
		s.goingAway()
	}
	p.mu.Unlock()
	if err := p.waitRecording(ctx); err != nil {
		return err
	}
	p.eio.endAll()
	p.endSockJS()
	p.signalR.endAll()
	p.streams.end()
	p.pollers.endAll()
	for _, wg := range []*sync.WaitGroup{&p.wg, &p.streams.wg, &p.pollers.wg} {
		if err := drain.Wait(ctx, wg); err != nil {
			return err
		}
	}
	return p.recording.closeAndWait(ctx)
}

// waitRecording waits until no Engine.IO session has polling bodies
// waiting to be recorded, so that Shutdown records what was relayed before
// it ends the sessions. Sessions may queue more meanwhile: it polls a
// counter, as a WaitGroup must not be waited on while it may grow from zero.
func (p *Proxy) waitRecording(ctx context.Context) error {
	for p.recorders.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}
