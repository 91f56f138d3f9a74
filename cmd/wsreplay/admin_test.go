package main

import (
	"net/http"
	"testing"
)

// The admin listener applies the replay server's Host rule: IP addresses,
// localhost and *.localhost, and the names --admin-allow-host (and serve's
// --allow-host) give; another DNS name (a page rebinding its own name to
// this machine) gets 403.
func TestAdminHostRule(t *testing.T) {
	for _, c := range []struct {
		name string
		args func(dir string) []string
	}{
		{"serve", func(string) []string { return []string{"serve", "--listen", "127.0.0.1:0", "--allow-host", "app.test"} }},
		{"record", func(dir string) []string {
			return []string{"record", "--upstream", "ws://127.0.0.1:9", "--listen", "127.0.0.1:0", "--out", dir}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(c.args(t.TempDir()), "--admin", "127.0.0.1:0", "--admin-allow-host", "metrics.internal")
			_, stderr, stop := startCommand(t, args...)
			defer stop()
			m := adminRE.FindStringSubmatch(stderr.String())
			if m == nil {
				t.Fatalf("no admin line:\n%s", stderr)
			}
			hosts := map[string]int{"rebind.example": 403, "rebind.example:80": 403, "localhost": 200,
				"a.localhost:1": 200, "127.0.0.1": 200, "10.1.2.3:9090": 200, "[::1]:9": 200,
				"metrics.internal": 200, "METRICS.internal.": 200, "app.test": 403}
			if c.name == "serve" {
				hosts["app.test"] = 200
			}
			for host, want := range hosts {
				for _, path := range []string{"/healthz", "/metrics"} {
					req, _ := http.NewRequest("GET", m[1]+path, nil)
					req.Host = host
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != want {
						t.Errorf("GET %s with Host %s: %d, want %d", path, host, resp.StatusCode, want)
					}
				}
			}
		})
	}
}
