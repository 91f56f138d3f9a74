package replayer

import (
	"html/template"
	"net/http"
	"slices"

	"github.com/wsreplay/wsreplay/internal/readable"
)

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{"readable": readable.URL}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>wsreplay</title>
<style>body{font:15px system-ui,sans-serif;margin:2em;color:#222}code{background:#f3f3f3;padding:1px 4px}
table{border-collapse:collapse}td,th{padding:4px 12px;text-align:left;border-bottom:1px solid #ddd}</style></head>
<body><h1>wsreplay</h1>
<p>This server replays recorded WebSocket sessions. Point your frontend's socket URL here:
each new WebSocket connection gets its own replay, from its first message.</p>
{{if .Indexing}}<p><em>Still indexing the recordings; more sessions may appear.</em></p>{{end}}
<table><tr><th>session</th><th>connect to</th><th>subprotocol</th><th>recorded</th></tr>
{{range .Sessions}}<tr><td><code>{{.ID}}</code></td><td><code>{{$.Base}}{{if .URL}}{{readable .URL}}{{else}}/{{end}}</code></td>
<td>{{.Subprotocol}}</td><td>{{.Start.Format "2006-01-02 15:04:05 MST"}}</td></tr>
{{else}}<tr><td colspan="4">no sessions</td></tr>{{end}}
{{if .More}}<tr><td colspan="4">... and {{.More}} more (wsreplay ls lists them all)</td></tr>{{end}}
</table></body></html>
`))

// servePage answers a plain HTTP request: a page listing the sessions on
// "/", 404 elsewhere.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		s.logUnanswered(r, http.StatusNotFound)
		http.Error(w, "wsreplay: this is a WebSocket replay server; connect with a WebSocket, or open / for the list of sessions", http.StatusNotFound)
		return
	}
	all, done, _ := s.Catalog.snapshot()
	// The first maxShown sessions are listed, and the others counted: a
	// recording may hold millions.
	const maxShown = 1000
	var shown []*Session
	more := 0
	for _, sess := range all {
		if len(s.Sessions) == 0 || slices.Contains(s.Sessions, sess.ID) {
			if len(shown) == maxShown {
				more++
				continue
			}
			shown = append(shown, sess)
		}
	}
	scheme := "ws://"
	if r.TLS != nil {
		scheme = "wss://"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTemplate.Execute(w, struct {
		Base     string
		Sessions []*Session
		More     int
		Indexing bool
	}{scheme + r.Host, shown, more, !done})
}
