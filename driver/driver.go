package driver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/diff"
	"github.com/wsreplay/wsreplay/recorder"
)

// DefaultTimeout is how long a run waits for a server message when
// Driver.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Driver plays the client's half of recorded sessions against a target
// server: each run opens the session's connection with its recorded path,
// query, subprotocol and headers, sends the client's messages as the
// recording shows they depended on the server's, records what the target
// answered, and compares it with the recorded server half.
//
// The zero value is not usable: Target must be set. Other fields' zero
// values are the defaults. A Driver is safe for concurrent use by many
// runs once set up; its fields must not change after the first Run.
type Driver struct {
	// Target is the server played against, ws://, wss://, http:// or
	// https://. Its path, if any, prefixes every recorded path; it has no
	// query or fragment (each session is opened with its recorded query),
	// or every run fails.
	Target *url.URL
	// Header replaces the recorded values of these headers on every
	// connection (credentials the recording redacted). Nil: none.
	Header http.Header
	// Clock sends every client message at its recorded offset from the
	// start. False, the zero value: causally, each one its recorded gap
	// after the server message it followed has arrived.
	Clock bool
	// Speed scales recorded times: 2 is twice as fast, +Inf no waiting.
	// Zero means 1.
	Speed float64
	// Timeout is how long a run waits for a server message before it
	// sends the next client message anyway (counted late), and, at the
	// end, for the rest of the server's half. Zero means DefaultTimeout.
	Timeout time.Duration
	// Out, if not nil, receives the lines of each run's recording: the
	// session as the target answered it. It owns each line.
	Out Sink
	// Compare configures the comparison with the recording. Nil compares
	// every field, as diff.Compare does.
	Compare *diff.Options
	// Client makes the HTTP requests (handshakes, Engine.IO polling).
	// Nil: a client of the Driver's own.
	Client *http.Client
	// Redactor hides secrets in what a run writes and reports (the lines
	// given to Out, Result.Diff, Result.Err) as record hides them in its
	// recordings: the target's answers are redacted before they are
	// compared with the recording, redacted the same way (a recording
	// made by record is so already), so that a value record hid compares
	// equal as "[redacted]". Nil: one of the Driver's own with the
	// default Redaction.
	Redactor *recorder.Redactor

	ownRedactor recorder.Redactor // when Redactor is nil
	recorded    sync.Map          // *Script -> []*format.Event, its lines redacted
}

// Sink receives recorded lines; recorder.FileSink is one. AddWait may
// wait for room: a run is not live traffic, and its recording should be
// whole. It reports false if the line was dropped.
type Sink interface {
	AddWait(ctx context.Context, e *format.Event) bool
}

// Latency is one client message's answer time: from the message to the
// server's next message, live and as recorded.
type Latency struct {
	Live, Recorded time.Duration
}

// Result is what one run did. Err is set when the run could not be made
// (the target refused, a write failed); the rest says how far it got.
type Result struct {
	Script  *Script
	Session string // the run's session id in Out
	Start   time.Time
	Err     error
	// Connected is true once the connection (and handshake) was made.
	Connected bool
	// Sent and Received count the application's messages each way
	// (Engine.IO's own packets left out).
	Sent, Received int
	// Late counts client messages sent after waiting Timeout in vain
	// for the server message they followed.
	Late      int
	Latencies []Latency
	// Diff compares the recorded session with the run's; nil when Err
	// stopped the run before it connected.
	Diff *diff.Result
	// Unredacted counts the messages of the run that name a JSON field
	// of the Redactor's but could not be parsed: written whole, as
	// record writes them.
	Unredacted int
	// Duration is how long the run took.
	Duration time.Duration
}

// Same reports a run that connected and whose answers equal the
// recording's.
func (r *Result) Same() bool { return r.Err == nil && r.Diff != nil && r.Diff.Same() }

func (d *Driver) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

func (d *Driver) speed() float64 {
	if d.Speed > 0 {
		return d.Speed
	}
	return 1
}

func (d *Driver) redactor() *recorder.Redactor {
	if d.Redactor != nil {
		return d.Redactor
	}
	return &d.ownRedactor
}

func (d *Driver) client() *http.Client {
	if d.Client != nil {
		return d.Client
	}
	return defaultClient
}

// defaultClient keeps enough idle connections per host for many runs at
// once against one target.
var defaultClient = &http.Client{Transport: &http.Transport{
	Proxy: nil, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: false,
}}

// newSessionID returns a fresh id for a run's session.
func newSessionID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
