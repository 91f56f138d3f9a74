package replayer

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/internal/readable"
)

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{"readable": readable.URL, "dur": fmtDuration, "pathEscape": url.PathEscape}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>wsreplay</title>
<style>body{font:15px system-ui,sans-serif;margin:2em;color:#222}code{background:#f3f3f3;padding:1px 4px}
table{border-collapse:collapse;margin-bottom:1.5em}td,th{padding:4px 12px;text-align:left;border-bottom:1px solid #ddd}td.n{text-align:right}</style></head>
<body data-api="{{.API}}"><h1>wsreplay</h1>
<p>This server replays recorded WebSocket sessions. Point your frontend's socket URL here:
each new WebSocket connection gets its own replay, from its first message.{{if .Control}}
Open a session's timeline to see its messages and steer its live replays.{{end}}</p>
{{if .Live}}<p id="liveNote"><em>This list updates itself as replays start and end.</em></p>{{else if and .Control .Links}}<p>A list that updates itself as replays start and end: <a href="{{.Links}}/_wsreplay/">{{.Links}}/_wsreplay/</a></p>{{end}}
<div id="lists">
{{if .Control}}<h2>Live replays</h2>
<table id="replays"><tr><th>replay</th><th>session</th><th>path</th><th>client</th><th>state</th><th>position</th></tr>
{{range .Replays}}<tr data-replay="{{.ID}}"><td><code>{{.ID}}</code></td><td><a href="{{$.Links}}/_wsreplay/s/{{pathEscape .Session}}">{{.Session}}</a></td><td><code>{{.Path}}</code></td>
<td>{{.Remote}}</td><td>{{.State}}{{with .Ended}} ({{.}}){{end}}</td><td class="n pos">{{.Pos.Seq}}{{with .Total}}/{{.}}{{end}}</td></tr>
{{else}}<tr><td colspan="6">none: connect a client to start one</td></tr>{{end}}</table>
<h2>Sessions</h2>{{end}}
{{if .Indexing}}<p id="indexing"><em>Still indexing the recordings; more sessions may appear.</em></p>{{end}}
<table id="sessions"><tr><th>session</th><th>connect to</th><th>subprotocol</th><th>recorded</th><th>duration</th><th>messages ↑/↓</th><th>bytes</th><th>ending</th></tr>
{{range .Sessions}}<tr class="s"><td>{{if $.Control}}<a href="{{$.Links}}/_wsreplay/s/{{pathEscape .ID}}"><code>{{.ID}}</code></a>{{else}}<code>{{.ID}}</code>{{end}}</td><td><code>{{readable .Connect}}</code></td>
<td>{{.Subprotocol}}</td><td>{{.Start.Format "2006-01-02 15:04:05 MST"}}</td>{{with .Figures}}<td class="n">{{dur .Duration}}</td><td class="n">{{.Sent}}/{{.Received}}</td><td class="n">{{.Bytes}}</td><td>{{.Ending}}</td>{{else}}<td colspan="4"></td>{{end}}</tr>
{{else}}<tr><td colspan="8">no sessions</td></tr>{{end}}
{{if .More}}<tr><td colspan="8">... and {{.More}} more (wsreplay ls lists them all)</td></tr>{{end}}
</table></div>
{{if .Live}}<script src="/_wsreplay/ui/index.js"></script>{{end}}</body></html>
`))

// figuresOnPage is how many sessions the page gives ls's figures for
// (reading each once, then from the index), within figuresTime: a large
// session takes a second or more to read, and the page must not wait.
const (
	figuresOnPage = 50
	figuresTime   = 500 * time.Millisecond
)

func fmtDuration(ns int64) string {
	return time.Duration(ns).Round(time.Millisecond).String()
}

// servePage answers a plain HTTP request: a page listing the sessions on
// "/", 404 elsewhere.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		s.logUnanswered(r, http.StatusNotFound)
		http.Error(w, "wsreplay: this is a WebSocket replay server; connect with a WebSocket, or open / for the list of sessions", http.StatusNotFound)
		return
	}
	if s.takeToken(w, r) {
		return
	}
	// Live only where the control API is this page's own origin: a
	// replay port whose control is apart runs no script.
	s.serveList(w, r, r.Host, s.ControlURL == "")
}

// serveList writes the page listing the sessions, whose clients connect to
// replayHost (HOST:PORT), with links to the timelines where the control is
// served to r. With live, and the control served to r, the page listens
// to the control API's events stream (on its own origin) and updates
// itself as replays start and end and sessions are found (ui/index.js).
func (s *Server) serveList(w http.ResponseWriter, r *http.Request, replayHost string, live bool) {
	all, done, _ := s.Catalog.snapshot()
	// The first maxShown sessions are listed, and the others counted: a
	// recording may hold millions.
	const maxShown = 1000
	var shown []sessionView
	more := 0
	control := s.controlServed(r)
	deadline := time.Now().Add(figuresTime)
	for _, sess := range s.allowed(all) {
		if len(shown) == maxShown {
			more++
			continue
		}
		v := s.sessionView(sess, control && len(shown) < figuresOnPage && time.Now().Before(deadline))
		v.Connect = connectTo(sess, replayHost, r.TLS != nil)
		shown = append(shown, v)
	}
	var replays []replayView
	if control {
		replays = s.replayViews()
	}
	live = live && control
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The list loads nothing but, when live, its own script, which reads
	// the events stream and this page again; its one inline style is all
	// else a policy needs to allow.
	csp := "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	if live {
		csp += "; script-src 'self'; connect-src 'self'"
	}
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	clearStaleWorkers(h)
	pageTemplate.Execute(w, struct {
		Sessions []sessionView
		More     int
		Indexing bool
		Control  bool
		Links    string // where the timelines are: "" (this origin) or ControlURL
		Replays  []replayView
		Live     bool
		API      string
	}{shown, more, !done, control, strings.TrimSuffix(s.ControlURL, "/"), replays, live, apiPrefix})
}

// serveControlList answers GET /_wsreplay/: the session list, as "/" of
// the replay port shows it, where the control listener (or a browser that
// holds the token cookie, which is scoped to /_wsreplay/) finds it.
func (s *Server) serveControlList(w http.ResponseWriter, r *http.Request) {
	host := s.replayAddr
	if host == "" {
		host = r.Host
	}
	s.serveList(w, r, host, true) // the control API's own origin
}
