package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Centrifuge: the centrifuge 5.7 JavaScript client (JSON protocol; a
// subscription and its publications, an RPC answered and one refused, an
// unsubscribe; "no ping" when a server ping is 1 s late) against the real
// github.com/centrifugal/centrifuge server library (centrifuge-server, a
// Go module of its own), which pings every 1 s.
func TestProtoCentrifuge(t *testing.T) {
	testProtocol(t, protoCase{
		start:    startCentrifuge,
		client:   "proto-centrifuge.mjs",
		path:     "/connection/websocket",
		timeout:  2 * time.Second, // the ping interval, and the client's maxServerPingDelay
		events:   8,
		beats:    true,
		protocol: "centrifuge",
	})
}

// centrifugeServer builds centrifuge-server once for the test binary.
var centrifugeServer = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(filepath.Dir(wsreplayBin), "centrifuge-server")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = "centrifuge-server"
	build.Env = append(os.Environ(), "GOWORK=off")
	out, err := build.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build centrifuge-server: %v\n%s", err, out)
	}
	return bin, nil
})

// startCentrifuge starts centrifuge-server and returns its port.
func startCentrifuge(t *testing.T) string {
	t.Helper()
	bin, err := centrifugeServer()
	if err != nil {
		t.Fatal(err)
	}
	_, port := start(t, nodeListening, bin)
	return port
}
