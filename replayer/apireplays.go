package replayer

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// The control API's commands to a live replay (POST replays/{id}/{action})
// and the defaults for the next connections (GET, PUT, DELETE next).

// stepRequest is the body of POST replays/{id}/step.
type stepRequest struct {
	Count int    `json:"count"`
	Until string `json:"until"`
	Dir   string `json:"dir"`
	Regex *bool  `json:"regex"` // until is a regular expression (default) or, false, text
}

type seekRequest struct {
	seekSpec
	Restart bool `json:"restart"`
}

type closeRequest struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// replayAction runs a command on the replay id and returns the replay
// once the player has acted on it (for at most settleTime).
func (s *Server) replayAction(w http.ResponseWriter, r *http.Request, id, action string) (any, error) {
	rp := s.control.lookup(id)
	if rp == nil {
		return nil, notFound("no replay " + id)
	}
	var err error
	switch action {
	case "pause", "resume":
		err = rp.ctl.setPaused(action == "pause")
	case "step":
		err = s.step(w, r, rp)
	case "seek":
		err = s.seek(w, r, rp)
	case "speed":
		var body struct {
			Speed *speedValue `json:"speed"`
		}
		if err = decodeBody(w, r, &body); err == nil {
			if body.Speed == nil {
				return nil, &apiError{status: 400, msg: "give the speed: a number, or \"max\"", field: "speed"}
			}
			err = rp.ctl.setSpeed(float64(*body.Speed))
		}
	case "inject":
		var in *injection
		if in, err = readInjection(w, r); err == nil {
			err = injectTo(rp, in)
		}
	case "drop":
		err = rp.ctl.endWith(ending{kind: endDrop, code: 1006, fault: true})
	case "hang":
		err = rp.ctl.endWith(ending{kind: endHang, fault: true})
	case "close":
		err = s.closeReplay(w, r, rp)
	case "faults":
		err = s.setReplayFaults(w, r, rp)
	default:
		return nil, notFound("no action " + action + " (pause, resume, step, seek, speed, inject, drop, hang, close, faults)")
	}
	if errors.Is(err, errEnded) {
		err = &apiError{status: http.StatusConflict, msg: "replay " + id + " has ended"}
	}
	if err != nil {
		return nil, err
	}
	rp.ctl.settle(settleTime, takenBy(rp.ctl, action))
	return rp.view(), nil
}

// settleTime bounds how long a command's answer waits for its effect.
const settleTime = 2 * time.Second

// takenBy says when the player has acted on action.
func takenBy(c *control, action string) func() bool {
	switch action {
	case "pause", "resume":
		return c.pauseTaken
	case "step":
		return c.stepTaken
	case "seek":
		return c.seekTaken
	case "speed":
		return c.speedTaken
	case "inject":
		return c.injectTaken
	case "faults":
		return func() bool { return true } // taken at the next message
	}
	return c.endTaken
}

func (s *Server) step(w http.ResponseWriter, r *http.Request, rp *apiReplay) error {
	var body stepRequest
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	switch body.Dir {
	case "", "receive", "send", "both":
	default:
		return &apiError{status: 400, msg: fmt.Sprintf("dir %q: use receive, send or both", body.Dir), field: "dir"}
	}
	if body.Count < 0 {
		return &apiError{status: 400, msg: "count is negative", field: "count"}
	}
	cmd := &stepCmd{count: max(body.Count, 1), dir: body.Dir}
	if body.Until != "" {
		re, err := compileQuery(body.Until, body.Regex == nil || *body.Regex)
		if err != nil {
			err.(*apiError).field = "until"
			return err
		}
		cmd.until = re
	}
	return rp.ctl.stepBy(cmd)
}

// seek moves the replay to a place in its session: forward at once;
// backward only with restart, which closes the connection with 4000 and
// makes the next connection to the same path start there.
func (s *Server) seek(w http.ResponseWriter, r *http.Request, rp *apiReplay) error {
	var body seekRequest
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	idx, err := s.index(rp.session)
	if err != nil {
		return err
	}
	t, err := body.target(idx)
	if err != nil {
		return err
	}
	rp.ctl.mu.Lock()
	pos, paused, speed := rp.ctl.pos, rp.ctl.paused, speedValue(rp.ctl.speed)
	rp.ctl.mu.Unlock()
	back := t.byOff && t.off < pos.off || !t.byOff && t.seq <= pos.seq
	if !back {
		return rp.ctl.seekTo(t)
	}
	if !body.Restart {
		return &apiError{status: http.StatusConflict, field: "restart",
			msg: "seeking backward needs a new connection (what the client has received cannot be taken back): add \"restart\": true"}
	}
	spec := body.seekSpec
	s.control.mu.Lock()
	s.control.next = &nextDefaults{Session: rp.session.ID, Path: rp.path, Paused: &paused, Seek: &spec, Speed: &speed, Once: true}
	s.control.mu.Unlock()
	return rp.ctl.endWith(ending{kind: endClose, code: 4000, reason: "wsreplay: restarting at a seek", fault: true})
}

func (s *Server) closeReplay(w http.ResponseWriter, r *http.Request, rp *apiReplay) error {
	body := closeRequest{Code: 1000}
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	if !sendableClose(body.Code) || body.Code == 1005 {
		return &apiError{status: 400, msg: fmt.Sprintf("%d is not a close code that can be sent (1000-1003, 1007-1014, 3000-4999)", body.Code), field: "code"}
	}
	if len(body.Reason) > 123 {
		return &apiError{status: 400, msg: fmt.Sprintf("the reason is %d bytes; a close frame holds 123", len(body.Reason)), field: "reason"}
	}
	return rp.ctl.endWith(ending{kind: endClose, code: body.Code, reason: body.Reason, fault: true})
}

// nextAction answers GET, PUT and DELETE next.
func (s *Server) nextAction(w http.ResponseWriter, r *http.Request) (any, error) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPut:
		var nx nextDefaults
		if err := decodeBody(w, r, &nx); err != nil {
			return nil, err
		}
		if err := s.checkNext(&nx); err != nil {
			return nil, err
		}
		s.control.mu.Lock()
		s.control.next = &nx
		s.control.mu.Unlock()
	case http.MethodDelete:
		s.control.mu.Lock()
		s.control.next = nil
		s.control.mu.Unlock()
	}
	s.control.mu.Lock()
	defer s.control.mu.Unlock()
	if s.control.next == nil {
		return struct{}{}, nil
	}
	return s.control.next, nil
}

func (s *Server) checkNext(nx *nextDefaults) error {
	if nx.Session != "" && s.lookupSession(nx.Session) == nil {
		return &apiError{status: 400, msg: "no session " + nx.Session, field: "session"}
	}
	if sp := nx.Seek; sp != nil {
		if err := sp.check(); err != nil {
			return err
		}
		// A seek in a named session is checked against it, as a live
		// seek is; one for whatever session comes next is checked when it
		// comes (newControl logs one that does not fit).
		if nx.Session != "" {
			idx, err := s.index(s.lookupSession(nx.Session))
			if err != nil {
				return err
			}
			if _, err := sp.target(idx); err != nil {
				return err
			}
		}
	}
	return nil
}
