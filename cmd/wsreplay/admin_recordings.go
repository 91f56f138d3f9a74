package main

import (
	"encoding/json"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
)

// Recordings out of a sidecar: the container image has no shell or tar,
// so kubectl cp cannot copy recordings out of it. With --admin-recordings,
// record's admin listener serves the finished recordings of --out DIR
// read-only: GET /recordings/ lists them (JSON when the request accepts
// application/json or asks ?format=json, else an HTML page of links), GET
// /recordings/NAME downloads one, ranges allowed. Every command that
// reads recordings takes these URLs (see http_input.go). The admin
// listener's Host rule applies to them as to /metrics, and they answer
// connections from this machine (or pod) only: kubectl port-forward
// connects to localhost inside the pod, while the cluster network that
// reaches /metrics on a pod's address gets 403.

// recordingsFlag is record's switch for the handler below.
func recordingsFlag() cli.Flag {
	return &cli.BoolFlag{Name: "admin-recordings", Usage: "with --admin and --out DIR: also serve the finished recordings read-only on the admin listener, a listing at /recordings/ and each file at /recordings/NAME, for wsreplay ls/cat/serve http://HOST:PORT/recordings/ (off by default)"}
}

// recordingsDir checks --admin-recordings against --admin and --out, and
// returns the directory to serve ("" for none). out is --out, toFile
// whether it names one file, s3 whether it names a bucket.
func recordingsDir(c *cli.Context, out string, toFile, s3 bool) (string, error) {
	switch {
	case !c.Bool("admin-recordings"):
		return "", nil
	case c.String("admin") == "":
		return "", usagef("--admin-recordings needs --admin HOST:PORT (the listener it serves them on)")
	case s3:
		return "", usagef("--admin-recordings serves --out DIR; with --out s3:// the recordings are in the bucket (wsreplay ls s3://...)")
	case toFile:
		return "", usagef("--admin-recordings needs --out DIR (one file per session); --out %s is one file, unfinished until record stops", out)
	}
	return out, nil
}

// recordingEntry is one row of the listing.
type recordingEntry struct {
	Name     string    `json:"name"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

// recordingsListing is the JSON listing of /recordings/.
type recordingsListing struct {
	Recordings []recordingEntry `json:"recordings"`
}

// recordingsHandler serves the finished recordings directly in Dir. It is
// an http.Handler for "GET /recordings/" and "GET /recordings/{name}";
// safe for concurrent use. Only names format.IsRecordingName accepts,
// never a .partial one, and only regular files: a symbolic link is never
// followed, even to a file inside Dir, and the directory is opened as an
// os.Root, so no name reaches outside it. Anything else is 404.
type recordingsHandler struct {
	Dir string
	Log *slog.Logger
}

func (h *recordingsHandler) register(mux *http.ServeMux) {
	mux.Handle("GET /recordings/{$}", h.local(h.list))
	mux.Handle("GET /recordings/{name}", h.local(h.file))
}

// local answers 403 to a connection from another machine: recordings,
// redacted as they are, hold what users sent and were sent.
func (h *recordingsHandler) local(fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromThisMachine(r) {
			h.Log.Warn("refused /recordings/ request from another machine", "remote", r.RemoteAddr,
				"hint", "reach it through kubectl port-forward or an SSH tunnel")
			http.Error(w, "wsreplay: /recordings/ answers connections from this machine only (kubectl port-forward, an SSH tunnel)", http.StatusForbidden)
			return
		}
		fn(w, r)
	})
}

// servable reports whether a name may be served: a finished recording's,
// one path element.
func servable(name string) bool {
	return format.IsRecordingName(name) && !strings.HasSuffix(strings.ToLower(name), format.PartialSuffix) &&
		filepath.IsLocal(name) && !strings.ContainsAny(name, `/\`+"\x00")
}

// entries lists the servable files of the directory, in name (start time)
// order.
func (h *recordingsHandler) entries() ([]recordingEntry, error) {
	des, err := os.ReadDir(h.Dir)
	if err != nil {
		return nil, err
	}
	out := []recordingEntry{}
	for _, de := range des {
		if !de.Type().IsRegular() || !servable(de.Name()) {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue // removed since (retention)
		}
		out = append(out, recordingEntry{Name: de.Name(), Size: info.Size(), Modified: info.ModTime().UTC()})
	}
	slices.SortFunc(out, func(a, b recordingEntry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (h *recordingsHandler) list(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	list, err := h.entries()
	if err != nil {
		h.Log.Warn("cannot list the recordings", "dir", h.Dir, "err", err)
		http.Error(w, "wsreplay: cannot list the recordings", http.StatusInternalServerError)
		return
	}
	if r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(recordingsListing{Recordings: list})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	listingPage.Execute(w, list)
}

var listingPage = template.Must(template.New("").Funcs(template.FuncMap{
	"href": url.PathEscape,
	"when": func(t time.Time) string { return t.Format(time.RFC3339) },
}).Parse(`<!doctype html>
<meta charset="utf-8"><title>wsreplay recordings</title>
<h1>Finished recordings</h1>
<p>{{len .}} files. Read them with <code>wsreplay ls|cat|serve</code> and this page's URL, or one file's.</p>
<table><tr><th>name</th><th>bytes</th><th>modified (UTC)</th></tr>
{{range .}}<tr><td><a href="{{href .Name}}">{{.Name}}</a></td><td>{{.Size}}</td><td>{{when .Modified}}</td></tr>
{{end}}</table>
`))

// file serves one recording: a finished, regular file directly in Dir.
func (h *recordingsHandler) file(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	name := r.PathValue("name")
	if !servable(name) {
		http.Error(w, "wsreplay: no such recording", http.StatusNotFound)
		return
	}
	root, err := os.OpenRoot(h.Dir)
	if err != nil {
		h.Log.Warn("cannot open the recordings directory", "dir", h.Dir, "err", err)
		http.Error(w, "wsreplay: cannot open the recordings directory", http.StatusInternalServerError)
		return
	}
	defer root.Close()
	link, err := root.Lstat(name)
	if err != nil || !link.Mode().IsRegular() {
		http.Error(w, "wsreplay: no such recording", http.StatusNotFound)
		return
	}
	f, err := root.Open(name)
	if err != nil {
		http.Error(w, "wsreplay: no such recording", http.StatusNotFound)
		return
	}
	defer f.Close()
	// The name may have been swapped for a link since the Lstat: serve
	// the file only if it is still the one looked at.
	info, err := f.Stat()
	if err != nil || !os.SameFile(info, link) {
		http.Error(w, "wsreplay: no such recording", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", recordingType(name))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// recordingType is the Content-Type of a finished recording's name.
func recordingType(name string) string {
	ext, _ := format.FinishedExt(strings.ToLower(name))
	switch ext {
	case format.Gzip.Ext():
		return "application/gzip"
	case format.Zstd.Ext():
		return "application/zstd"
	}
	return "application/x-ndjson"
}
