package replayer

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"testing/synctest"
	"time"
)

// A poller that sends nothing for PollIdle is forgotten, with the tape it
// held, though no request comes after it (a thousand User-Agents that
// never come back held their sessions for the server's life); one that
// keeps polling is kept.
func TestPollIdleForgotten(t *testing.T) {
	cat, err := Open(File(pollRecording(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	cat.Wait(t.Context())
	synctest.Test(t, func(t *testing.T) {
		srv := &Server{Catalog: cat, Poll: []string{"/poll"}, PollIdle: time.Second, Speed: 0}
		get := func(ua string) {
			req := httptest.NewRequest("GET", "/poll", nil)
			req.Host = "127.0.0.1:1"
			req.Header.Set("User-Agent", ua)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent && rec.Code != http.StatusAccepted {
				t.Fatalf("poll from %s: %d %s", ua, rec.Code, rec.Body)
			}
		}
		for i := range 10 {
			get("ua-" + strconv.Itoa(i))
		}
		if n := srv.pollers.count(); n != 10 {
			t.Fatalf("%d pollers after 10 User-Agents polled, want 10", n)
		}
		time.Sleep(600 * time.Millisecond)
		get("ua-0") // still polling
		time.Sleep(600 * time.Millisecond)
		synctest.Wait()
		if n := srv.pollers.count(); n != 1 {
			t.Errorf("%d pollers 1.2s after the last request of 9 of them (--poll-idle 1s), want 1", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := srv.pollers.count(); n != 0 {
			t.Errorf("%d pollers once every one has been idle for --poll-idle, want 0", n)
		}
	})
}

// count returns how many pollers are remembered.

func (ps *pollers) count() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	n := 0
	for _, list := range ps.byKey {
		n += len(list)
	}
	return n
}
