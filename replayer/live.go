package replayer

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
)

// liveControl is what a Server keeps for the control API: the replays
// (live, and the last ones ended), the defaults for the next connections,
// the events stream's subscribers and the sessions' indexes. The zero
// value is ready to use; it is safe for concurrent use.
type liveControl struct {
	mu      sync.Mutex
	n       int                   // replays opened: the next id is "r<n+1>"
	replays map[string]*apiReplay // live and recently ended, by id
	order   []*apiReplay          // the same, oldest first
	next    *nextDefaults         // nil: none
	hub     hub
	indexes indexes
}

// keepEnded is how many ended replays the API still shows.
const keepEnded = 50

// apiReplay is one replay as the control API sees it.
type apiReplay struct {
	id       string
	session  *Session
	path     string
	remote   string
	accepted time.Time
	ctl      *control
	lc       *liveControl

	mu     sync.Mutex
	last   map[string]time.Time   // when each frequent event was last published
	timers map[string]*time.Timer // such an event to publish later
}

// open registers a replay of sess for the connection from remote to path,
// controlled by ctl, and announces it.
func (lc *liveControl) open(sess *Session, path, remote string, accepted time.Time, ctl *control) *apiReplay {
	lc.mu.Lock()
	if lc.replays == nil {
		lc.replays = map[string]*apiReplay{}
	}
	lc.n++
	rp := &apiReplay{id: "r" + strconv.Itoa(lc.n), session: sess, path: path, remote: remote, accepted: accepted, ctl: ctl, lc: lc}
	ctl.notify = rp.notify // before the API can find it
	lc.replays[rp.id] = rp
	lc.order = append(lc.order, rp)
	lc.forgetEnded()
	lc.mu.Unlock()
	lc.hub.publish("replay.opened", rp.view())
	return rp
}

// forgetEnded drops the oldest ended replays past keepEnded. lc.mu is held.
func (lc *liveControl) forgetEnded() {
	ended := 0
	for i := len(lc.order) - 1; i >= 0; i-- {
		rp := lc.order[i]
		if rp.ctl.isEnded() {
			if ended++; ended > keepEnded {
				delete(lc.replays, rp.id)
				lc.order = append(lc.order[:i], lc.order[i+1:]...)
			}
		}
	}
}

// lookup returns the replay with id, or nil.
func (lc *liveControl) lookup(id string) *apiReplay {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.replays[id]
}

// list returns the replays, oldest first.
func (lc *liveControl) list() []*apiReplay {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return append([]*apiReplay(nil), lc.order...)
}

// notify publishes what changed in the replay, if anyone listens. The
// events that come with messages (a position, a client message) are
// published at most 10 times a second each, the last one always.
func (rp *apiReplay) notify(what string) {
	if what == "" || !rp.lc.hub.listened() {
		return
	}
	name := "replay." + what
	if what != "position" && what != "client" {
		rp.lc.hub.publish(name, rp.view())
		return
	}
	const every = 100 * time.Millisecond
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.timers == nil {
		rp.last, rp.timers = map[string]time.Time{}, map[string]*time.Timer{}
	}
	if rp.timers[name] != nil {
		return // a publication is due, and will carry this change
	}
	if wait := every - time.Since(rp.last[name]); wait > 0 {
		rp.timers[name] = time.AfterFunc(wait, func() { rp.publishLater(name) })
		return
	}
	rp.last[name] = time.Now()
	rp.lc.hub.publish(name, rp.view())
}

func (rp *apiReplay) publishLater(name string) {
	rp.mu.Lock()
	delete(rp.timers, name)
	rp.last[name] = time.Now()
	rp.mu.Unlock()
	rp.lc.hub.publish(name, rp.view())
}

// ended announces the end of the replay.
func (rp *apiReplay) ended(how string) {
	rp.mu.Lock()
	for name, t := range rp.timers {
		t.Stop()
		delete(rp.timers, name)
	}
	rp.mu.Unlock()
	rp.ctl.finish(how)
	rp.lc.hub.publish("replay.ended", rp.view())
}

// endingName says how a replay ended, for the API.
func endingName(end ending, err error) string {
	switch {
	case err != nil:
		return "failed"
	case end.kind == endClose:
		return fmt.Sprintf("close %d", end.code)
	}
	return end.kind.String()
}

// replayView is a replay as the API shows it.
type replayView struct {
	ID       string     `json:"id"`
	Session  string     `json:"session"`
	Path     string     `json:"path"`
	Remote   string     `json:"remote"`
	Accepted time.Time  `json:"accepted"`
	State    string     `json:"state"`
	Speed    speedValue `json:"speed"`
	Pos      placeView  `json:"pos"`
	Next     *placeView `json:"next"` // null when nothing is left to play
	Total    *int       `json:"total"`
	Sent     int        `json:"sent"`
	Received int        `json:"received"`
	Injected int        `json:"injected"`
	// Injections are the last injections, oldest first.
	Injections []injected `json:"injections"`
	Ended      *string    `json:"ended"`
	// Faults are the replay's faults and the message faults applied.
	Faults faultsView `json:"faults"`
	// Rev grows with every change: of two views, the one with the
	// greater Rev is the newer.
	Rev int64 `json:"rev"`
}

// placeView is a message's place: its number and recorded offset.
type placeView struct {
	Seq    int    `json:"seq"`
	Offset int64  `json:"offset_ns"`
	Dir    string `json:"dir,omitempty"`
}

func (rp *apiReplay) view() replayView {
	c := rp.ctl
	rev := c.rev.Load() // before reading: a change meanwhile has a greater one
	c.mu.Lock()
	v := replayView{ID: rp.id, Session: rp.session.ID, Path: rp.path, Remote: rp.remote, Accepted: rp.accepted,
		State: c.stateLocked(), Speed: speedValue(c.speed), Pos: placeView{Seq: c.pos.seq, Offset: int64(c.pos.off)},
		Sent: c.sent, Received: c.received, Injected: c.injected, Injections: append([]injected{}, c.injLog...), Rev: rev,
		Faults: c.faultsViewLocked()}
	if c.next.seq > 0 && !c.next.isEnd {
		v.Next = &placeView{Seq: c.next.seq, Offset: int64(c.next.off), Dir: string(c.next.dir)}
	}
	if c.ended != "" {
		how := c.ended
		v.Ended = &how
	}
	c.mu.Unlock()
	if idx := rp.lc.indexes.built(rp.session); idx != nil {
		v.Total = &idx.total
	}
	return v
}

func (c *control) isEnded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ended != ""
}

// speedValue is a speed in JSON: a number, or "max" for no waiting.
type speedValue float64

func (v speedValue) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(v), 1) {
		return []byte(`"max"`), nil
	}
	return json.Marshal(float64(v))
}

func (v *speedValue) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s == "max" {
			*v = speedValue(math.Inf(1))
			return nil
		}
		b = []byte(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if f == 0 && err == nil {
		*v = speedValue(math.Inf(1))
		return nil
	}
	// Beyond the bounds a replay's schedule overflows (1e-300 would send
	// everything at once).
	if err != nil || !(f >= MinSpeed && f <= MaxSpeed) {
		return &apiError{status: 400, msg: fmt.Sprintf("%s is not a speed: a number from %g to %g, or 0 or \"max\"", b, MinSpeed, MaxSpeed), field: "speed"}
	}
	*v = speedValue(f)
	return nil
}

// nextDefaults are the settings the next connection(s) start with, as PUT
// next gives them. Path, if set, limits them to connections to that path;
// Once lets them apply to one connection only.
type nextDefaults struct {
	Session string      `json:"session,omitempty"`
	Path    string      `json:"path,omitempty"`
	Paused  *bool       `json:"paused,omitempty"`
	Seek    *seekSpec   `json:"seek,omitempty"`
	Speed   *speedValue `json:"speed,omitempty"`
	Once    bool        `json:"once,omitempty"`
}

// seekSpec is a place in a session as the API takes it: a message number,
// an offset (a duration like "90s", or offset_ns), or a percentage of the
// session's duration.
type seekSpec struct {
	Seq      int      `json:"seq,omitempty"`
	Offset   string   `json:"offset,omitempty"`
	OffsetNS *int64   `json:"offset_ns,omitempty"`
	Percent  *float64 `json:"percent,omitempty"`
}

// take returns the defaults for a connection to path, and forgets them if
// they were for one connection only.
func (lc *liveControl) take(path string) *nextDefaults {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	nx := lc.next
	if nx == nil || nx.Path != "" && nx.Path != path {
		return nil
	}
	if nx.Once {
		lc.next = nil
	}
	return nx
}

// check validates what a seek gives that needs no session: one of seq,
// offset, offset_ns and percent, each within its range.
func (sp *seekSpec) check() error {
	given := 0
	if sp.Seq != 0 {
		given++
		if sp.Seq < 1 {
			return &apiError{status: 400, msg: fmt.Sprintf("no message %d: messages are numbered from 1", sp.Seq), field: "seq"}
		}
	}
	if sp.Offset != "" {
		given++
		if d, err := time.ParseDuration(sp.Offset); err != nil || d < 0 {
			return &apiError{status: 400, msg: fmt.Sprintf("%q is not a duration (like 90s or 1m30s)", sp.Offset), field: "offset"}
		}
	}
	if sp.OffsetNS != nil {
		given++
		if *sp.OffsetNS < 0 {
			return &apiError{status: 400, msg: "offset_ns is negative", field: "offset_ns"}
		}
	}
	if sp.Percent != nil {
		given++
		if p := *sp.Percent; !(p >= 0 && p <= 100) {
			return &apiError{status: 400, msg: "percent is between 0 and 100", field: "percent"}
		}
	}
	if given != 1 {
		return &apiError{status: 400, msg: "give one of seq, offset, offset_ns and percent", field: "seq"}
	}
	return nil
}

// target resolves a seekSpec against the session's index.
func (sp *seekSpec) target(idx *sessionIndex) (*seekTarget, error) {
	if err := sp.check(); err != nil {
		return nil, err
	}
	var t seekTarget
	switch {
	case sp.Seq != 0:
		t.seq = sp.Seq
		if sp.Seq > idx.total {
			return nil, &apiError{status: 400, msg: fmt.Sprintf("no message %d: the session has %d", sp.Seq, idx.total), field: "seq"}
		}
	case sp.Offset != "":
		t.off, _ = time.ParseDuration(sp.Offset)
	case sp.OffsetNS != nil:
		t.off = time.Duration(*sp.OffsetNS)
	default:
		t.off = time.Duration(*sp.Percent / 100 * float64(idx.duration))
	}
	t.byOff = sp.Seq == 0
	if t.byOff && t.off > idx.duration {
		return nil, &apiError{status: 400, msg: fmt.Sprintf("offset %v is outside the session (0 to %v)", t.off, idx.duration), field: "offset"}
	}
	return &t, nil
}

// newControl returns the control of a new replay of sess: paused if
// Server.Paused says so, at Server.Speed, unless the control API set other
// defaults for this connection.
func (s *Server) newControl(rp *replayLife, sess *Session) *control {
	speed, paused := s.Speed, s.Paused
	nx := rp.next
	if nx == nil {
		return newControl(speed, paused)
	}
	if nx.Speed != nil {
		speed = float64(*nx.Speed)
	}
	if nx.Paused != nil {
		paused = *nx.Paused
	}
	ctl := newControl(speed, paused)
	if nx.Seek != nil {
		idx, err := s.index(sess)
		var t *seekTarget
		if err == nil {
			t, err = nx.Seek.target(idx)
		}
		if err != nil {
			s.logger().Warn("the seek set for the next connection does not fit its session: playing from the start",
				"session", sess.ID, "err", err)
		}
		ctl.seek = t
	}
	return ctl
}
