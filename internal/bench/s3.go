package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/s3store"
)

// The shared-storage measurements (-only s3), against a versitygw on
// loopback (installed with `go install
// github.com/versity/versitygw/cmd/versitygw@v1.8.0`): a fleet of recorders
// writing into one bucket through a store restart and a kill -9; ls over
// thousands of sessions (time, and requests as the store's access log
// counts them); serve of a large object (first message, peak RSS).

// versity is a versitygw process serving a directory.
type versity struct {
	bin, addr, dir, accessLog string
	cmd                       *exec.Cmd
}

func startVersity(dir string) *versity {
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		out, _ := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(strings.TrimSpace(string(out)), "bin", "versitygw")
		if _, err := os.Stat(bin); err != nil {
			log.Fatal("versitygw is not installed: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
		}
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	v := &versity{bin: bin, addr: l.Addr().String(), dir: filepath.Join(dir, "store"), accessLog: filepath.Join(dir, "access.log")}
	l.Close()
	os.MkdirAll(v.dir, 0o700)
	v.start()
	for _, kv := range []string{"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench-secret-key", "AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL=http://" + v.addr, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"} {
		k, val, _ := strings.Cut(kv, "=")
		os.Setenv(k, val)
	}
	return v
}

func (v *versity) start() {
	v.cmd = exec.Command(v.bin, "--quiet", "--access-log", v.accessLog, "--port", v.addr, "posix", v.dir)
	v.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY=bench", "ROOT_SECRET_KEY=bench-secret-key")
	if err := v.cmd.Start(); err != nil {
		log.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", v.addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			log.Fatal("versitygw did not start")
		}
	}
}

func (v *versity) stop() {
	v.cmd.Process.Signal(syscall.SIGTERM)
	v.cmd.Wait()
}

// requests counts the requests the store has logged so far.
func (v *versity) requests() int {
	b, _ := os.ReadFile(v.accessLog)
	return strings.Count(string(b), "\n")
}

func (v *versity) bucket(name string) {
	c := s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "bench", SecretAccessKey: "bench-secret-key"}, nil
		})}, func(o *s3.Options) { o.BaseEndpoint = aws.String("http://" + v.addr); o.UsePathStyle = true })
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		log.Fatal(err)
	}
}

func s3Bench(bin, dir string, recorders, sessions, lsSessions int, size int64) {
	v := startVersity(dir)
	defer v.stop()
	v.bucket("bench")
	s3Fleet(bin, dir, v, recorders, sessions)
	s3Ls(bin, dir, v, lsSessions)
	s3Serve(bin, dir, size)
}

// newSpool makes dir an empty spool of dest.
func newSpool(dir string, dest s3store.Location) {
	os.MkdirAll(dir, 0o700)
	if err := s3store.PrepareSpool(dir, dest); err != nil {
		log.Fatal(err)
	}
}

// spoolUpload uploads the session files of dir to dest, as a recorder's
// uploader does at its shutdown.
func spoolUpload(dir string, dest s3store.Location) {
	c, err := s3store.New(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	u := &s3store.Uploader{Client: c, Dest: dest, Dir: dir, Parallel: 8}
	if err := u.Flush(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// s3Ls lists n sessions with ls, all of them and one hour of them.
func s3Ls(bin, dir string, v *versity, n int) {
	spool := filepath.Join(dir, "many-spool")
	newSpool(spool, s3store.Location{Bucket: "bench", Key: "many"})
	t0 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for i := range n {
		start := t0.Add(time.Duration(i) * 30 * time.Second) // 120 an hour
		id := fmt.Sprintf("s%05d", i)
		var buf strings.Builder
		w := format.NewWriter(&buf, &format.WriterOptions{Compression: format.Zstd})
		w.Write(&format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: start, URL: "/live?room=1"})
		w.Write(&format.Event{Type: format.TypeMessage, Session: id, Time: start.Add(time.Second), Dir: format.Receive, Opcode: format.Text, Data: []byte(`{"hello":1}`)})
		w.Write(&format.Event{Type: format.TypeClose, Session: id, Time: start.Add(2 * time.Second), By: format.ByServer, Code: 1000, Clean: true})
		w.Close()
		os.WriteFile(filepath.Join(spool, format.FileName(start, id, format.Zstd)), []byte(buf.String()), 0o600)
	}
	t := time.Now()
	spoolUpload(spool, s3store.Location{Bucket: "bench", Key: "many"})
	log.Printf("uploaded %d sessions in %v", n, time.Since(t).Round(time.Millisecond))
	fmt.Printf("\n### ls s3:// over %d sessions (one object each, keys over %d hours)\n\n", n, n/120)
	fmt.Println("| command | rows | time | requests |")
	fmt.Println("| --- | --- | --- | --- |")
	for _, args := range [][]string{
		{"ls", "s3://bench/many"},
		{"ls", "--json", "s3://bench/many"},
		{"ls", "s3://bench/many", "--since", "2026-11-20T01:00:00Z", "--until", "2026-11-20T02:00:00Z"},
	} {
		before := v.requests()
		t := time.Now()
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			log.Fatalf("%v: %v", args, err)
		}
		took := time.Since(t)
		time.Sleep(200 * time.Millisecond) // the access log is written after the answer
		rows := strings.Count(string(out), "\n")
		if args[1] != "--json" {
			rows-- // the header
		}
		fmt.Printf("| `wsreplay %s` | %d | %v | %d |\n", strings.Join(args, " "), rows, took.Round(time.Millisecond), v.requests()-before)
	}
}

// s3Serve uploads a large recording (plain and zstd) as a recorder would,
// and serves it from the bucket to one client.
func s3Serve(bin, dir string, size int64) {
	fmt.Printf("\n### serve s3:// of a large object, --speed max, 1 client reading for 10 s\n\n")
	fmt.Println("| object | first message after start | messages delivered | MB/s | server peak RSS |")
	fmt.Println("| --- | --- | --- | --- | --- |")
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, comp := range []format.Compression{format.None, format.Zstd} {
		spool := filepath.Join(dir, "large-spool-"+comp.String())
		newSpool(spool, s3store.Location{Bucket: "bench", Key: "large"})
		name := format.FileName(t0, "large", comp)
		written := writeLarge(filepath.Join(spool, name), size, comp)
		st, _ := os.Stat(filepath.Join(spool, name))
		spoolUpload(spool, s3store.Location{Bucket: "bench", Key: "large"})
		url := "s3://bench/" + s3store.Key("large/", t0, name)
		r := serveLarge(bin, url, 1, 10*time.Second)
		fmt.Printf("| %d MB NDJSON, %s, %d MB object | %v | %d | %.0f | %d MB |\n", written>>20, comp, st.Size()>>20,
			r.firstMsg.Round(time.Millisecond), r.msgs, float64(r.bytes)/r.reading.Seconds()/1e6, r.peakRSS>>20)
	}
}

// fleetProc is a recorder process of the fleet.
type fleetProc struct {
	cmd   *exec.Cmd
	url   string
	spool string
}

func startFleetProc(bin, upstream, spool string) *fleetProc {
	p := &fleetProc{spool: spool}
	p.cmd = exec.Command(bin, "record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--out", "s3://bench/fleet",
		"--spool", spool, "--upload-interval", "2s", "--quiet")
	stderr, _ := p.cmd.StderrPipe()
	if err := p.cmd.Start(); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			p.url = m[1]
			break
		}
		log.Print(sc.Text())
	}
	go io.Copy(io.Discard, stderr)
	if p.url == "" {
		log.Fatal("recorder printed no listening line")
	}
	return p
}

// fleetSession runs one session: send tok, read its echo, close (1000).
func fleetSession(ctx context.Context, url, tok string) error {
	c, _, err := websocket.Dial(ctx, url+"/fleet/"+tok, nil)
	if err != nil {
		return err
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte(tok)); err != nil {
		return err
	}
	if _, got, err := c.Read(ctx); err != nil || string(got) != tok {
		return fmt.Errorf("echo %q: %v", got, err)
	}
	return c.Close(websocket.StatusNormalClosure, "")
}

// s3Fleet: recorders × sessions into one bucket, in four quarters: after
// the first, recorder 0 is killed with -9 in the middle of a session and
// started again on its spool; the store is stopped for the third.
func s3Fleet(bin, dir string, v *versity, recorders, sessions int) {
	self, _ := os.Executable()
	echo := exec.Command(self)
	echo.Env = append(os.Environ(), "BENCH_ECHO=1")
	upstream, stopEcho := startServer(echo)
	defer stopEcho()
	procs := make([]*fleetProc, recorders)
	for i := range procs {
		procs[i] = startFleetProc(bin, upstream, filepath.Join(dir, fmt.Sprintf("spool-%d", i)))
	}
	reqs0, start := v.requests(), time.Now()
	ctx := context.Background()
	var mu sync.Mutex
	done := map[string]bool{}
	quarter := func(q int) {
		var wg sync.WaitGroup
		for i, p := range procs {
			wg.Go(func() {
				for j := q * sessions / 4; j < (q+1)*sessions/4; j++ {
					tok := fmt.Sprintf("r%d-s%d", i, j)
					if err := fleetSession(ctx, p.url, tok); err != nil {
						log.Printf("session %s: %v", tok, err)
						continue
					}
					mu.Lock()
					done[tok] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
	}
	quarter(0)
	killed := killFleetProc(ctx, bin, upstream, procs)
	quarter(1)
	v.stop()
	down := time.Now()
	quarter(2)
	v.start()
	downFor := time.Since(down)
	quarter(3)
	traffic := time.Since(start)
	for _, p := range procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
	}
	total := time.Since(start)
	checkFleet(bin, done, killed, recorders, sessions, traffic, total, downFor, v.requests()-reqs0)
}

// killFleetProc kills recorder 0 with -9 while a session is open on it,
// and starts it again on its spool.
func killFleetProc(ctx context.Context, bin, upstream string, procs []*fleetProc) string {
	tok := "killed-r0"
	c, _, err := websocket.Dial(ctx, procs[0].url+"/fleet/"+tok, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseNow()
	c.Write(ctx, websocket.MessageText, []byte(tok))
	c.Read(ctx)
	time.Sleep(1200 * time.Millisecond) // flushed (1 s) to the spool
	procs[0].cmd.Process.Kill()
	procs[0].cmd.Wait()
	procs[0] = startFleetProc(bin, upstream, procs[0].spool)
	return tok
}

// checkFleet reads the bucket back: every completed session once, closed.
func checkFleet(bin string, done map[string]bool, killed string, recorders, sessions int, traffic, total, downFor time.Duration, reqs int) {
	out, err := exec.Command(bin, "cat", "--json", "s3://bench/fleet").Output()
	if err != nil {
		log.Fatalf("cat of the bucket: %v", err)
	}
	seen, closed, ids := map[string]int{}, 0, map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var e struct{ Type, Session, Dir, Text string }
		json.Unmarshal([]byte(line), &e)
		ids[e.Session] = true
		switch {
		case e.Type == "message" && e.Dir == "send":
			seen[e.Text]++
		case e.Type == "close":
			closed++
		}
	}
	missing, twice := 0, 0
	for tok := range done {
		switch seen[tok] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	fmt.Printf("\n### %d recorders × %d sessions into one bucket (store down %v mid-run, recorder 0 killed with -9 and restarted)\n\n",
		recorders, sessions, downFor.Round(time.Millisecond))
	fmt.Println("| sessions completed | objects' sessions | missing | twice | killed session | close lines | traffic | until all uploaded | store requests |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	fmt.Printf("| %d | %d | %d | %d | %d time(s) | %d | %v | %v | %d |\n", len(done), len(ids), missing, twice, seen[killed], closed,
		traffic.Round(time.Millisecond), total.Round(time.Millisecond), reqs)
}
