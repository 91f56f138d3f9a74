package replayer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/longpoll"
)

// DefaultPollIdle ends a poller's replay when Server.PollIdle is zero.
const DefaultPollIdle = 30 * time.Second

// pollers are the pollers being replayed to, told apart as the recorder
// tells them apart (by pattern, address and User-Agent; a poller has one
// request in flight, so a second one at the same time is another poller).
// A poller idle for PollIdle is forgotten, with its tape: a timer per
// poller, armed when its request is answered, so that pollers that never
// come back (a thousand User-Agents) do not hold their sessions for the
// server's life.
type pollers struct {
	mu    sync.Mutex
	byKey map[string][]*pollReplay
}

// pollReplay is one poller's replay of one poll session: its k-th request
// gets the k-th recorded response, held until the response's recorded
// offset from the first recorded request, measured from the poller's own
// first request (scaled by Speed, gaps capped by MaxGap, From as for
// every replay: responses before From go at once).
type pollReplay struct {
	key      string
	sess     *Session
	tape     *pollTape
	sched    *schedule
	k        int         // requests answered or being answered
	inFlight bool        // a request is being answered
	last     time.Time   // when the last answer was sent
	forget   *time.Timer // forgets the poller once idle for PollIdle; nil until its first answer
}

// servePoll answers a request on a Poll path from its poller's replay.
func (s *Server) servePoll(w http.ResponseWriter, r *http.Request) {
	if preflight(w, r) {
		return
	}
	log := s.logger().With("remote", r.RemoteAddr, "path", r.URL.RequestURI(), "kind", "poll")
	rp, del := s.admit(w, log)
	if rp == nil {
		return
	}
	defer del()
	stop := context.AfterFunc(r.Context(), rp.cancel)
	defer stop()
	io.Copy(io.Discard, io.LimitReader(r.Body, s.maxMessageSize())) // read, as a backend would
	pr, k, err := s.pollers.take(s, r, rp, log)
	if err != nil {
		s.logNoSession(log, err, format.KindPoll)
		s.stats.refusedFor("no_session")
		http.Error(w, "wsreplay: "+err.Error(), http.StatusNotFound)
		return
	}
	defer s.pollers.release(pr, s.pollIdle())
	log = log.With("session", pr.sess.ID, "n", k+1)
	ans, due := pr.answer(s, k)
	if ans.req != nil && ans.req.HTTP != nil && ans.req.HTTP.Method != r.Method {
		log.Warn("poll request differs from the recording", "method", r.Method, "recorded", ans.req.HTTP.Method)
	}
	w2 := &waiter{ctx: rp.ctx, fine: &s.fine}
	if _, stopped := w2.until(due); stopped {
		if r.Context().Err() != nil {
			log.Info("client left before its answer was due")
			return
		}
		log.Info("not answered: server shutting down")
		http.Error(w, "wsreplay is shutting down", http.StatusServiceUnavailable)
		return
	}
	writePoll(w, r, ans.resp)
	s.stats.sent.Add(1)
	s.stats.sentBytes.Add(int64(len(ans.resp.Data)))
	log.Debug("answered", "status", statusOf(ans.resp), "idle", ans.req == nil)
}

func (s *Server) maxMessageSize() int64 {
	if s.MaxMessageSize > 0 {
		return s.MaxMessageSize
	}
	return DefaultMaxMessageSize
}

// answer returns the k-th exchange to answer with and when it is due: a
// recorded one, or past the last, the idle answer after the longest
// recorded hold.
func (pr *pollReplay) answer(s *Server, k int) (pollExchange, time.Time) {
	if k < len(pr.tape.exchanges) {
		x := pr.tape.exchanges[k]
		due, placed := pr.sched.next(x.respOff)
		if !placed {
			due = time.Now()
		}
		return x, due
	}
	hold := time.Duration(float64(pr.tape.longestHold) / pr.sched.speed)
	if s.MaxGap > 0 {
		hold = min(hold, s.MaxGap)
	}
	return pollExchange{resp: pr.tape.idle}, time.Now().Add(hold)
}

// take returns the poller r comes from, with the number of its request
// (from 0), starting a replay of the next recorded session for its path
// if it has none, or its last one has been idle for PollIdle.
func (ps *pollers) take(s *Server, r *http.Request, rp *replayLife, log *slog.Logger) (*pollReplay, int, error) {
	key := longpoll.Key(longpoll.Match(s.Poll, r.URL.Path), r)
	idle := s.pollIdle()
	ps.mu.Lock()
	if ps.byKey == nil {
		ps.byKey = map[string][]*pollReplay{}
	}
	list := ps.byKey[key][:0]
	var found *pollReplay
	for _, pr := range ps.byKey[key] {
		if pr.inFlight || time.Since(pr.last) < idle {
			list = append(list, pr) // still polling
			if found == nil && !pr.inFlight {
				found = pr
			}
		}
	}
	ps.byKey[key] = list
	if len(list) == 0 {
		delete(ps.byKey, key)
	}
	if found != nil {
		found.forget.Stop()
		found.inFlight = true
		found.k++
		ps.mu.Unlock()
		return found, found.k, nil
	}
	ps.mu.Unlock()
	pr, err := s.newPollReplay(rp.ctx, r, key)
	if err != nil {
		return nil, 0, err
	}
	log.Info("poller connected", "session", pr.sess.ID, "recorded", pr.sess.URL, "exchanges", len(pr.tape.exchanges))
	ps.mu.Lock()
	ps.byKey[key] = append(ps.byKey[key], pr)
	ps.mu.Unlock()
	return pr, 0, nil
}

func (s *Server) pollIdle() time.Duration {
	if s.PollIdle > 0 {
		return s.PollIdle
	}
	return DefaultPollIdle
}

// release marks pr's request answered, and arms the timer that forgets pr
// if no request comes for idle.
func (ps *pollers) release(pr *pollReplay, idle time.Duration) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	pr.inFlight, pr.last = false, time.Now()
	if pr.forget == nil {
		pr.forget = time.AfterFunc(idle, func() { ps.forgetIdle(pr, idle) })
		return
	}
	pr.forget.Reset(idle)
}

// forgetIdle drops pr, unless a request came since its timer was armed.
func (ps *pollers) forgetIdle(pr *pollReplay, idle time.Duration) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if pr.inFlight || time.Since(pr.last) < idle {
		return
	}
	list := ps.byKey[pr.key][:0]
	for _, other := range ps.byKey[pr.key] {
		if other != pr {
			list = append(list, other)
		}
	}
	if len(list) == 0 {
		delete(ps.byKey, pr.key)
		return
	}
	ps.byKey[pr.key] = list
}

// newPollReplay chooses the next poll session for r's path and loads it;
// the replay's clock starts now, with this first request.
func (s *Server) newPollReplay(ctx context.Context, r *http.Request, key string) (*pollReplay, error) {
	sess, err := s.choose(ctx, r.URL, format.KindPoll)
	if err != nil {
		return nil, err
	}
	tape, err := loadPollTape(sess)
	if err != nil {
		return nil, err
	}
	return &pollReplay{key: key, sess: sess, tape: tape, sched: newSchedule(s.timing(), time.Now()), inFlight: true}, nil
}

// statusOf returns the status to answer with: the recorded one, 200 if
// none, and 502 for one no HTTP response can have (a crafted or damaged
// recording; net/http would panic on it).
func statusOf(e *format.Event) int {
	switch {
	case e.HTTP == nil || e.HTTP.Status == 0:
		return http.StatusOK
	case e.HTTP.Status < 100 || e.HTTP.Status > 999:
		return http.StatusBadGateway
	}
	return e.HTTP.Status
}

// writePoll writes a recorded response: status, the headers replayedHeader
// allows (sandbox.go), body. Hop-by-hop and framing headers are the
// server's own, and so is CORS (cors.go).
func writePoll(w http.ResponseWriter, r *http.Request, e *format.Event) {
	h := w.Header()
	var expose []string
	if e.HTTP != nil {
		for k, vs := range e.HTTP.Headers {
			ck := http.CanonicalHeaderKey(k)
			if !replayedHeader(ck) {
				continue
			}
			h[ck] = append([]string(nil), vs...)
			expose = append(expose, ck)
		}
	}
	allowCORS(w, r, expose)
	status := statusOf(e)
	if status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Length", fmt.Sprint(len(e.Data)))
	w.WriteHeader(status)
	w.Write(e.Data)
}
