package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// via is a proxy proxyOverhead measures: a process (and its children)
// whose CPU time is counted.
type via struct {
	name, url string
	pid       int
	admin     string // the recorder's admin listener, for its byte counts
}

// pids are the via's process and its children (nginx's worker).
func (v via) pids() []int {
	out := []int{v.pid}
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", v.pid, v.pid))
	for _, f := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

type viaResult struct {
	loadResult
	name            string
	perK            time.Duration // CPU per 1,000 round trips, until idle
	written, paylod int64         // recording bytes written, payload bytes recorded
}

// bytesRatio words the recording bytes written per payload byte.
func (r viaResult) bytesRatio() string {
	if r.paylod == 0 {
		return ""
	}
	return fmt.Sprintf("%.3f", float64(r.written)/float64(r.paylod))
}

// measure runs a load through v and counts v's CPU until it is idle again
// (compressing and writing the recordings included).
func (v via) measure(ld struct{ size, conns, inflight int }, msgs [][]byte, d time.Duration) viaResult {
	cpu := func() time.Duration { return treeCPU(v.pid) }
	w0, p0 := v.sinkBytes()
	cpu0 := cpu()
	r := viaResult{name: v.name, loadResult: echoLoad(v.url, ld.conns, ld.inflight, msgs, d)}
	used := waitIdleCPU(cpu) - cpu0
	// A round trip is two messages through the proxy, one each way.
	r.perK = time.Duration(float64(used) / float64(r.n) * 1000)
	w1, p1 := v.sinkBytes()
	r.written, r.paylod = w1-w0, p1-p0
	return r
}

// sinkBytes scrapes the recorder's byte counts from its /metrics.
func (v via) sinkBytes() (written, payload int64) {
	if v.admin == "" {
		return 0, 0
	}
	resp, err := http.Get("http://" + v.admin + "/metrics")
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, _ := strings.Cut(sc.Text(), " ")
		n, _ := strconv.ParseFloat(val, 64)
		switch name {
		case "wsreplay_record_file_bytes_written_total":
			written = int64(n)
		case "wsreplay_record_payload_bytes_written_total":
			payload = int64(n)
		}
	}
	return written, payload
}

// startProxies starts the bare relay, nginx (if there is one; else the
// reason why not) and wsreplay record, in front of direct.
func startProxies(bin, dir, direct string) (vias []via, stop func(), skipped string) {
	self, _ := os.Executable()
	var stops []func()
	stop = func() {
		for _, s := range stops {
			s()
		}
	}
	relayCmd := exec.Command(self)
	relayCmd.Env = append(os.Environ(), "BENCH_TCP_RELAY="+strings.TrimPrefix(direct, "ws://"))
	relayed, stopRelay := startServer(relayCmd)
	stops = append(stops, stopRelay)
	vias = append(vias, via{name: "bare TCP relay", url: relayed, pid: relayCmd.Process.Pid})

	if url, cmd, stopNginx, why := startNginx(dir, strings.TrimPrefix(direct, "ws://")); why == "" {
		stops = append(stops, stopNginx)
		vias = append(vias, via{name: "nginx", url: url, pid: cmd.Process.Pid})
	} else {
		skipped = why
	}

	admin, err := freePort()
	if err != nil {
		admin = ""
	}
	args := []string{"record", "--upstream", direct, "--listen", "127.0.0.1:0",
		"--out", filepath.Join(dir, "rec"), "--compress", "zstd"}
	if admin != "" {
		args = append(args, "--admin", admin)
	}
	cmd := exec.Command(bin, args...)
	// BENCH_PROXY_PROFILE=FILE writes the proxy's CPU profile;
	// BENCH_PROXY_ENV="K=V ..." gives it more environment (GOGC=off, ...).
	cmd.Env = append(os.Environ(), strings.Fields(os.Getenv("BENCH_PROXY_ENV"))...)
	if prof := os.Getenv("BENCH_PROXY_PROFILE"); prof != "" {
		cmd.Env = append(cmd.Env, "WSREPLAY_CPUPROFILE="+prof)
	}
	proxied, stopRec := startServer(cmd)
	stops = append(stops, stopRec)
	vias = append(vias, via{name: "wsreplay record", url: proxied, pid: cmd.Process.Pid, admin: admin})
	return vias, stop, skipped
}

// waitIdleCPU waits until cpu stops growing (at most a minute) and returns
// it then.
func waitIdleCPU(cpu func() time.Duration) time.Duration {
	last := cpu()
	for range 300 {
		time.Sleep(200 * time.Millisecond)
		now := cpu()
		if now-last <= 10*time.Millisecond {
			return now
		}
		last = now
	}
	return last
}

// jsonMessages returns n different JSON messages of about size bytes each,
// arrays of the ticks, trades and chat lines of jsonHeavy.
func jsonMessages(size, n int) [][]byte {
	evs := jsonHeavy(n * (size/90 + 2))
	var out [][]byte
	i := 1
	for range n {
		b := []byte(`{"type":"batch","items":[`)
		for len(b) < size-120 {
			if b[len(b)-1] != '[' {
				b = append(b, ',')
			}
			b = append(b, evs[i].Data...)
			i++
		}
		out = append(out, append(b, "]}"...))
	}
	return out
}
