package replayer

import (
	"errors"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// control steers one live replay: the commands of the control API (pause,
// resume, step, seek, speed, inject, drop, hang, close) wait here until the
// player takes them, between two events, and the player reports here where
// it is. It knows nothing of the transport, so that every player, whatever
// its sender, is steered the same way.
//
// Its methods are safe for concurrent use: the API's handlers give commands
// while the player takes them.
type control struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced when a command arrives

	// Commands, until the player takes them.
	paused   bool
	held     bool          // the player has held its schedule for the pause
	heldFrom time.Time     // since when, if held
	heldSum  time.Duration // how long it was held before, in all
	speed    float64
	newSpeed bool
	step     *stepCmd
	seek     *seekTarget
	injects  []*format.Event
	end      *ending

	// pendingInject is what the injections not sent yet hold, in bytes
	// (queued, or taken by the player and not sent).
	pendingInject int64
	// shape turns an injection into what the replay sends; set before the
	// replay is opened to the API. Nil: WebSocket messages
	// (injection.events).
	shape func(*injection) ([]*format.Event, error)

	// What the player reports.
	state    string // playing, paused, waiting, ended
	pos      mark   // the last message sent or passed
	next     mark   // the message the player waits to send or pass
	sent     int    // recorded messages sent to the client
	received int    // messages from the client
	injected int
	injLog   []injected // the last maxInjLog injections
	idle     bool       // the session is over; the connection stays open
	ended    string     // how the replay ended, "" while it runs

	faults   liveFaults     // the faults, as set (faultctl.go)
	faultLog []appliedFault // the last maxFaultLog message faults applied

	// rev counts the changes, so that a page can tell the newer of two
	// views of the replay.
	rev atomic.Int64

	// notify, if set, is called outside the lock with what changed:
	// "state", "position", "client" or "injected". Nil: nothing.
	notify func(what string)
}

// mark is one recorded message as the player meets it: its number in the
// session (from 1, both directions, as the session index counts them), its
// recorded offset and its direction. A recorded ending has isEnd set.
type mark struct {
	seq   int
	off   time.Duration
	dir   format.Dir
	isEnd bool
	size  int // its payload's, for the link's bandwidth
}

// stepCmd sends messages now, paused: count of them in direction dir
// ("receive", to the client, by default; "send"; or "both"), or, with
// until, up to the first one whose payload matches.
type stepCmd struct {
	count int
	dir   string
	until *regexp.Regexp
}

func (s *stepCmd) counts(dir format.Dir) bool {
	return s.dir == "both" || s.dir == string(dir) || s.dir == "" && dir == format.Receive
}

// seekTarget is a place in a session: the message numbered seq, or the
// offset off when byOff is set.
type seekTarget struct {
	seq   int
	off   time.Duration
	byOff bool
}

// reached reports whether m is at or past the target.
func (t *seekTarget) reached(m mark) bool {
	if t.byOff {
		return m.off >= t.off || m.isEnd
	}
	return m.seq >= t.seq || m.isEnd
}

// lead is how long after the target m was recorded.
func (t *seekTarget) lead(m mark) time.Duration {
	if t.byOff {
		return m.off - t.off
	}
	return 0
}

// errEnded means a command came for a replay that has ended.
var errEnded = errors.New("the replay has ended")

func newControl(speed float64, paused bool) *control {
	speed = boundSpeed(speed)
	state := "playing"
	if paused {
		state = "paused"
	}
	return &control{changed: make(chan struct{}), speed: speed, paused: paused, state: state}
}

// command runs fn under the lock, wakes the player and reports what
// changed, unless the replay has ended.
func (c *control) command(what string, fn func()) error {
	c.mu.Lock()
	if c.ended != "" {
		c.mu.Unlock()
		return errEnded
	}
	fn()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	c.report(what)
	return nil
}

func (c *control) report(what string) {
	c.rev.Add(1)
	if c.notify != nil {
		c.notify(what)
	}
}

// setPaused pauses or resumes the replay.
func (c *control) setPaused(paused bool) error {
	return c.command("state", func() {
		c.paused = paused
		if !paused {
			c.step = nil
		}
		c.state = c.stateLocked()
	})
}

// stepBy sends the next messages now and leaves the replay paused.
func (c *control) stepBy(s *stepCmd) error {
	return c.command("state", func() {
		c.paused, c.step = true, s
		c.state = c.stateLocked()
	})
}

// seekTo sends the messages before t at once; the pause state is kept.
func (c *control) seekTo(t *seekTarget) error {
	return c.command("position", func() { c.seek, c.step = t, nil })
}

// setSpeed changes the speed from the current position on.
func (c *control) setSpeed(speed float64) error {
	return c.command("state", func() { c.speed, c.newSpeed = boundSpeed(speed), true })
}

// errInjectFull means a replay's injections not sent yet would pass
// maxPendingInject.
var errInjectFull = errors.New("too many injections not sent yet")

// inject queues messages to send to the client at once, together, unless
// the injections not sent yet would then hold more than maxPendingInject
// bytes (errInjectFull).
func (c *control) inject(evs []*format.Event) error {
	size := payloadSize(evs)
	c.mu.Lock()
	full := c.pendingInject+size > maxPendingInject
	if !full {
		c.pendingInject += size
	}
	c.mu.Unlock()
	if full {
		return errInjectFull
	}
	return c.command("", func() { c.injects = append(c.injects, evs...) })
}

// endWith ends the replay as end says (a drop, a hang, a close).
func (c *control) endWith(end ending) error {
	return c.command("", func() { c.end = &end })
}

func (c *control) stateLocked() string {
	switch {
	case c.ended != "":
		return "ended"
	case c.paused:
		return "paused"
	case c.state == "waiting":
		return "waiting"
	}
	return "playing"
}

// verdict is what the player is to do with the message it holds.
type verdict int

const (
	waitDue     verdict = iota // wait until it is due
	goNow                      // send or pass it now: a step or a seek
	waitCommand                // paused: wait for a command
)

// decision is what decide tells the player: an ending to end with, messages
// to inject first, or a verdict on the message; changed is closed at the
// next command.
type decision struct {
	verdict verdict
	end     *ending
	injects []*format.Event
	changed <-chan struct{}
	faults  liveFaults // the faults as they are now
}

// decide applies the commands waiting to sched, at now, and says what to do
// with m, the message the player holds.
func (c *control) decide(now time.Time, sched *schedule, m mark) decision {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := decision{changed: c.changed, faults: c.faults}
	c.next = m
	if c.end != nil {
		d.end, c.end = c.end, nil
		return d
	}
	if len(c.injects) > 0 {
		d.injects, c.injects = c.injects, nil
		return d
	}
	c.applySpeed(now, sched)
	switch {
	case c.paused && !c.held:
		sched.hold(now)
		c.held, c.heldFrom = true, now
	case !c.paused && c.held:
		sched.release(now)
		c.held, c.heldSum = false, c.heldSum+now.Sub(c.heldFrom)
	}
	if c.seek != nil {
		if !c.seek.reached(m) {
			d.verdict = goNow
			return d
		}
		sched.jump(now, c.seek.lead(m))
		c.seek = nil
	}
	switch {
	case c.step != nil:
		d.verdict = goNow
	case c.held:
		d.verdict = waitCommand
	}
	return d
}

func (c *control) applySpeed(now time.Time, sched *schedule) {
	if !c.newSpeed {
		return
	}
	c.newSpeed = false
	if c.held {
		sched.speed = c.speed
		return
	}
	sched.setSpeed(now, c.speed)
}

// heldFor returns how long the replay has been held for pauses up to now,
// in all: a reply's delay after its request (echo.go) does not run while
// paused.
func (c *control) heldFor(now time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held {
		return c.heldSum + now.Sub(c.heldFrom)
	}
	return c.heldSum
}

// decideIdle is decide once the session is over: only endings and
// injections remain to take.
func (c *control) decideIdle() decision {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := decision{changed: c.changed, verdict: waitCommand}
	c.next, c.idle = mark{}, true
	if c.end != nil {
		d.end, c.end = c.end, nil
	}
	d.injects, c.injects = c.injects, nil
	return d
}

// started notes a new schedule (the first playing, or a loop): it is not
// held yet, and it plays at the control's speed.
func (c *control) started(sched *schedule) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held, c.newSpeed, c.idle = false, false, false
	sched.speed = c.speed
}

// passed notes that m went (sent is true if it was sent to the client),
// with data its payload, at now. A message that went while the schedule
// was held went early: the schedule's position becomes its own.
func (c *control) passed(now time.Time, sched *schedule, m mark, data []byte, sent bool) {
	c.mu.Lock()
	c.pos = m
	if sent {
		c.sent++
	}
	if c.held {
		sched.passed(now)
	}
	stepped := false
	if s := c.step; s != nil && (s.counts(m.dir) || m.isEnd) {
		switch {
		case m.isEnd:
			c.step = nil
		case s.until != nil:
			if s.until.Match(data) {
				c.step = nil
			}
		default:
			if s.count--; s.count <= 0 {
				c.step = nil
			}
		}
		stepped = c.step == nil
	}
	c.mu.Unlock()
	c.report("position")
	if stepped {
		c.report("state")
	}
}

// gateYields reports whether a --wait gate is to let the replay go on
// without the client's message: a step or a seek is under way.
func (c *control) gateYields() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.step != nil || c.seek != nil
}

// waiting notes whether the player waits for the client (--wait).
func (c *control) waiting(on bool) <-chan struct{} {
	c.mu.Lock()
	c.state = "playing"
	if on {
		c.state = "waiting"
	}
	c.state = c.stateLocked()
	ch := c.changed
	c.mu.Unlock()
	c.report("state")
	return ch
}

// injected is a message injected, as the API shows it: after which
// message of the session it went, and its start.
type injected struct {
	After   int    `json:"after"`
	Kind    string `json:"kind"`
	Size    int    `json:"size"`
	Preview string `json:"preview"`
}

const maxInjLog = 100

// injectedOne notes a message injected.
func (c *control) injectedOne(e *format.Event) {
	r := newRow(0, e, 0)
	c.mu.Lock()
	c.injected++
	c.pendingInject -= int64(len(e.Data))
	if len(c.injLog) == maxInjLog {
		c.injLog = c.injLog[1:]
	}
	c.injLog = append(c.injLog, injected{After: c.pos.seq, Kind: r.Kind, Size: r.Size, Preview: r.Preview})
	c.mu.Unlock()
	c.report("injected")
}

// clientMessage counts a message from the client.
func (c *control) clientMessage() {
	c.mu.Lock()
	c.received++
	c.mu.Unlock()
	c.report("client")
}

// finish notes how the replay ended; commands are refused from then on.
func (c *control) finish(how string) {
	c.mu.Lock()
	c.ended, c.state = how, "ended"
	c.mu.Unlock()
	c.report("state")
}

// settle waits, up to d, until the player has acted on the commands given,
// as taken says (called under the lock), or the session is over, or the
// replay has ended: so that the API's answer shows the command's effect. It
// polls: commands are few, and the player's path stays free of it.
func (c *control) settle(d time.Duration, taken func() bool) {
	deadline := time.Now().Add(d)
	for {
		c.mu.Lock()
		ok := c.ended != "" || c.idle || taken()
		c.mu.Unlock()
		if ok || time.Now().After(deadline) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// What each command waits for (c.mu held).
func (c *control) pauseTaken() bool  { return c.held == c.paused || c.state == "waiting" }
func (c *control) stepTaken() bool   { return c.step == nil }
func (c *control) seekTaken() bool   { return c.seek == nil }
func (c *control) speedTaken() bool  { return !c.newSpeed }
func (c *control) injectTaken() bool { return len(c.injects) == 0 }
func (c *control) endTaken() bool    { return false } // only ended
