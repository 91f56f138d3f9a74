package hostrule

import "testing"

func TestAllowed(t *testing.T) {
	t.Parallel()

	allow := []string{"app.test", "dev.example."}
	for host, want := range map[string]bool{
		"": true, "127.0.0.1:8765": true, "[::1]:80": true, "10.0.0.7": true, "localhost": true,
		"LOCALHOST.:80": true, "api.localhost:5173": true, "app.test": true, "APP.test.:443": true,
		"dev.example": true, "rebind.example": false, "localhost.example": false, "127.0.0.1.nip.io": false,
		"notlocalhost": false,
	} {
		t.Run(host, func(t *testing.T) {
			if got := Allowed(host, allow); got != want {
				t.Errorf("Allowed(%q) = %v, want %v", host, got, want)
			}
		})
	}
}
