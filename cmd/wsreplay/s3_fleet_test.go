package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
	"github.com/wsreplay/wsreplay/internal/s3test"
)

// fleetRecorder is a recorder process of its own (this test binary run as
// wsreplay), writing to the bucket through a spool.
type fleetRecorder struct {
	cmd    *exec.Cmd
	url    string
	spool  string
	stderr *nettest.Buffer
	exited chan struct{}
}

// startFleetRecorder starts a recorder on spool; its upload interval is
// short, so that a long session is uploaded as .partial too.
func startFleetRecorder(t *testing.T, upstream, spool string) *fleetRecorder {
	t.Helper()
	r := &fleetRecorder{spool: spool, stderr: &nettest.Buffer{}, exited: make(chan struct{})}
	r.cmd = exec.Command(os.Args[0], "record", "--upstream", upstream, "--listen", "127.0.0.1:0",
		"--out", "s3://rec/fleet", "--spool", spool, "--flush-interval", "100ms", "--upload-interval", "500ms", "--quiet")
	r.cmd.Env = append(os.Environ(), "WSREPLAY_TEST_MAIN=1")
	pipe, _ := r.cmd.StderrPipe()
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cmd.Process.Kill(); <-r.exited })
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		fmt.Fprintln(r.stderr, sc.Text())
		if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
			r.url = m[1]
			break
		}
	}
	go func() { io.Copy(r.stderr, pipe); r.cmd.Wait(); close(r.exited) }()
	if r.url == "" {
		t.Fatalf("recorder printed no listening line: %s", r.stderr)
	}
	return r
}

// stop ends the recorder with SIGTERM and returns its exit code.
func (r *fleetRecorder) stop(t *testing.T) int {
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("recorder did not exit within 60 s: %s", r.stderr)
	}
	return r.cmd.ProcessState.ExitCode()
}

// Several recorders write into one bucket while the store is stopped and
// started again, and one recorder is killed with -9 in the middle of a
// session and started again on its spool: afterwards every session is in
// the bucket once, complete, and readable. A scaled-down version of the
// issue's 8 recorders × 250 sessions (internal/bench/s3fleet runs that).
func TestS3FleetSurvivesStoreRestartAndKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts versitygw and 8 recorder processes")
	}
	srv := s3Store(t)
	upstream := "ws" + strings.TrimPrefix(backend(t).URL, "http")
	const recorders, perPhase = 8, 8
	recs := make([]*fleetRecorder, recorders)
	for i := range recs {
		recs[i] = startFleetRecorder(t, upstream, t.TempDir())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	f := &fleetRun{recs: recs, done: map[string]bool{}}
	f.phase(t, ctx, "before", perPhase)
	srv.Stop()
	f.phase(t, ctx, "store-down", perPhase)
	srv.Restart(t)
	inflight := f.killMidSession(t, ctx, upstream, srv)
	f.phase(t, ctx, "after", perPhase)
	for i, r := range recs {
		if code := r.stop(t); code != 0 {
			t.Errorf("recorder %d exited %d: %s", i, code, r.stderr)
		}
		if left, _ := filepath.Glob(filepath.Join(r.spool, "*.ndjson*")); len(left) != 0 {
			t.Errorf("recorder %d left %v in its spool", i, left)
		}
	}
	f.check(t, inflight)
	if left := partialObjects(srv); len(left) != 0 {
		t.Errorf("the bucket keeps .partial objects beside the finished ones: %v", left)
	}
}

// partialHolds reports whether a .partial object holds tok (versitygw's
// posix backend keeps an object's bytes as a file). Another session's
// .partial object (a slow one, under the race detector) will not do.
func partialHolds(srv *s3test.Server, tok string) bool {
	for _, path := range partialObjects(srv) {
		if fileHoldsMessage(path, tok) {
			return true
		}
	}
	return false
}

// fileHoldsMessage reports whether the recording at path (any compression;
// a torn tail is fine) holds a message whose text is text.
func fileHoldsMessage(path, text string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	r := format.NewReader(f, nil)
	defer r.Close()
	for {
		e, err := r.Next()
		if err != nil {
			return false
		}
		if e.Type == format.TypeMessage && string(e.Data) == text {
			return true
		}
	}
}

// partialObjects lists the .partial objects the store holds, from its
// directory.
func partialObjects(srv *s3test.Server) []string {
	var found []string
	filepath.WalkDir(filepath.Join(srv.Dir, "rec"), func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".partial") {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// fleetRun drives the recorders' clients and remembers what completed.
type fleetRun struct {
	recs []*fleetRecorder
	mu   sync.Mutex
	done map[string]bool // tokens of the sessions that completed
}

// phase runs n sessions on every recorder, the recorders in parallel.
func (f *fleetRun) phase(t *testing.T, ctx context.Context, name string, n int) {
	var wg sync.WaitGroup
	for i, r := range f.recs {
		wg.Go(func() {
			for j := range n {
				tok := fmt.Sprintf("%s-r%d-s%d", name, i, j)
				if err := echoSession(ctx, r.url+"/fleet/"+tok, tok); err != nil {
					t.Errorf("session %s: %v", tok, err)
					continue
				}
				f.mu.Lock()
				f.done[tok] = true
				f.mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// killMidSession kills recorder 0 with -9 while a session runs on it (its
// lines flushed, and uploaded as .partial), then starts it again on the
// same spool. It returns the token of that session.
func (f *fleetRun) killMidSession(t *testing.T, ctx context.Context, upstream string, srv *s3test.Server) string {
	const tok = "killed-r0"
	c := nettest.Dial(t, f.recs[0].url+"/fleet/"+tok, nil)
	defer c.CloseNow()
	c.Read(ctx) // hello
	c.Write(ctx, websocket.MessageText, []byte(tok))
	if _, got, err := c.Read(ctx); err != nil || string(got) != tok {
		t.Fatalf("echo %q, %v", got, err)
	}
	// Past --upload-interval, the running session is in the bucket as
	// .partial: the store holds what a machine lost would have left.
	for deadline := time.Now().Add(20 * time.Second); !partialHolds(srv, tok); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the running session was not uploaded as .partial within 20 s")
		}
	}
	f.recs[0].cmd.Process.Kill()
	<-f.recs[0].exited
	f.recs[0] = startFleetRecorder(t, upstream, f.recs[0].spool)
	return tok
}

// check reads the whole bucket back (convert reads every object) and
// compares it with what the clients did.
func (f *fleetRun) check(t *testing.T, inflight string) {
	out := filepath.Join(t.TempDir(), "all.ndjson")
	if _, errOut, code := wsreplay(t, "convert", "s3://rec/fleet", out); code != 0 {
		t.Fatalf("convert of the bucket: exit %d: %s", code, errOut)
	}
	fh, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := format.NewReader(fh, nil)
	defer r.Close()
	sessions := map[string]int{} // token -> sessions holding it
	closed := map[string]bool{}  // session id -> closed with 4000
	tokenOf := map[string]string{}
	for {
		e, err := r.Next()
		if err != nil {
			break
		}
		switch {
		case e.Type == format.TypeMessage && e.Dir == format.Send && string(e.Data) != "close":
			sessions[string(e.Data)]++
			tokenOf[e.Session] = string(e.Data)
		case e.Type == format.TypeClose && e.Code == 4000:
			closed[e.Session] = true
		}
	}
	for tok := range f.done {
		if sessions[tok] != 1 {
			t.Errorf("session %s is in the bucket %d times, want once", tok, sessions[tok])
		}
	}
	for id, tok := range tokenOf {
		if f.done[tok] && !closed[id] {
			t.Errorf("session %s (%s) has no close line: incomplete", id, tok)
		}
	}
	if sessions[inflight] != 1 {
		t.Errorf("the session open when its recorder was killed is in the bucket %d times, want once (its lines until the kill)", sessions[inflight])
	}
	if len(tokenOf) != len(f.done)+1 {
		t.Errorf("bucket holds %d sessions, want %d (the completed ones and the killed one)", len(tokenOf), len(f.done)+1)
	}
	lsOut, _, _ := wsreplay(t, "ls", "--json", "s3://rec/fleet")
	if n := strings.Count(lsOut, "\n"); n != len(tokenOf) || strings.Contains(lsOut, ".partial") {
		t.Errorf("ls lists %d sessions (partial objects: %v), want %d finished ones", n, strings.Contains(lsOut, ".partial"), len(tokenOf))
	}
	var row lsRow
	json.Unmarshal([]byte(lsOut[:strings.IndexByte(lsOut+"\n", '\n')]), &row)
	t.Logf("%d sessions in the bucket; first %s", len(tokenOf), row.File)
}
