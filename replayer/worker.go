package replayer

import "net/http"

// A service worker registered on the replay server's origin (its host and
// port) would outlive the server: it answers whatever is served on that
// origin next, the timeline and the control API of a later serve
// included, and may read them. This server never lets one be registered,
// and its own pages remove any that another server left there.

// isServiceWorkerScript reports whether r is a browser's fetch of a
// service worker script (a registration or an update), which carries
// "Service-Worker: script" and "Sec-Fetch-Dest: serviceworker". guard
// answers it 403 on every path: no answer of this server is a worker,
// whatever a recording holds (and no replayed answer has a script type,
// sandbox.go).
func isServiceWorkerScript(r *http.Request) bool {
	return r.Header.Get("Service-Worker") != "" || r.Header.Get("Sec-Fetch-Dest") == "serviceworker"
}

// clearStaleWorkers asks the browser to remove what an earlier server on
// this origin left (the "storage" directive of Clear-Site-Data unregisters
// its service workers, and clears its local storage, which these pages do
// not use): set on the session list and the timeline pages, the pages a
// developer opens on the origin. Cookies and the HTTP cache are left
// alone.
func clearStaleWorkers(h http.Header) {
	h.Set("Clear-Site-Data", `"storage"`)
}
