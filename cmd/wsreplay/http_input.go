package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/replayer"
)

// Recordings over HTTP: every command that reads recordings takes the URLs
// of record --admin-recordings (see admin_recordings.go) wherever it takes
// a file or a directory. A URL ending in / is a listing, read as JSON, and
// stands for the recordings it names, as a directory does; any other URL
// is one file, streamed as it downloads, never held whole nor written to a
// temporary file. serve opens a file again for each replay, as it does a
// local one, and for a plain .ndjson starts at the session's offset with a
// ranged GET (Range: bytes=N-), as it does an s3:// object.
//
// A URL with credentials (https://user:pass@host/...) is refused, its
// password not repeated: the admin listener takes none, and a URL is
// printed in messages, ls's file column and export's modules.

// httpClient reads recordings over HTTP. No overall timeout: a download
// lasts as long as the file is large; a server that does not answer is
// given up after a minute.
var httpClient = &http.Client{Transport: func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = time.Minute
	return t
}()}

// isHTTPURL reports whether an input names a URL: http:// or https://.
func isHTTPURL(s string) bool {
	lower := strings.ToLower(s)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

// redactURL is how a URL input is named in messages: without its password
// (a URL with one is refused: parseHTTP).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if strings.Contains(s, "@") {
			return "(a URL with credentials)"
		}
		return s
	}
	return u.Redacted()
}

// httpGet sends a GET for s from byte offset (0: all of it). Its error
// does not name the URL: the caller does.
func httpGet(ctx context.Context, s string, offset int64, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", s, nil)
	if err != nil {
		return nil, errors.New("not a valid URL")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusOK && offset > 0:
		// The server ignored the range: skip to offset.
		if _, err := io.CopyN(io.Discard, resp.Body, offset); err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("reading to byte %d: %v", offset, err)
		}
	case resp.StatusCode == http.StatusOK, resp.StatusCode == http.StatusPartialContent && offset > 0:
	default:
		resp.Body.Close()
		hint := ""
		switch resp.StatusCode {
		case http.StatusForbidden:
			hint = " (record's admin listener answers only Hosts that are IP addresses, localhost or --admin-allow-host names)"
		case http.StatusNotFound:
			hint = " (no such finished recording; is it record --admin-recordings's /recordings/?)"
		}
		return nil, fmt.Errorf("%s%s", resp.Status, hint)
	}
	return resp, nil
}

// parseHTTP checks a URL input: an http:// or https:// URL with a host and
// no credentials.
func parseHTTP(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "":
		return nil, usagef("%s: not a valid URL", redactURL(s))
	case u.User != nil:
		return nil, usagef("%s: a URL with credentials; record's admin listener takes none (reach it with kubectl port-forward or an SSH tunnel)", redactURL(s))
	}
	return u, nil
}

// expandHTTP returns the recordings a URL names: those of the listing a
// URL ending in / is, each as its URL, in the listing's (start time)
// order; any other URL as it is.
func expandHTTP(ctx context.Context, s string) ([]string, error) {
	base, err := parseHTTP(s)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(base.Path, "/") {
		return []string{s}, nil
	}
	resp, err := httpGet(ctx, s, 0, "application/json")
	if err != nil {
		return nil, fmt.Errorf("%s: %v", s, err)
	}
	defer resp.Body.Close()
	var list recordingsListing
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&list); err != nil || list.Recordings == nil {
		return nil, fmt.Errorf("%s: not a listing of recordings (record --admin-recordings serves one at /recordings/)", s)
	}
	if len(list.Recordings) == 0 {
		return nil, fmt.Errorf("%s: no finished recordings", s)
	}
	out := make([]string, 0, len(list.Recordings))
	for _, e := range list.Recordings {
		if !servable(e.Name) {
			return nil, fmt.Errorf("%s: the listing names %q, not a recording's name", s, e.Name)
		}
		u := *base
		u.Path, u.RawPath, u.RawQuery, u.Fragment = base.Path+e.Name, "", "", ""
		out = append(out, u.String())
	}
	return out, nil
}

// openHTTP opens the file a URL names, to read it from its start. A
// listing (a URL ending in /) is not one: the commands that take one file
// (diff, export, import) get it here.
func openHTTP(ctx context.Context, s string) (io.ReadCloser, error) {
	u, err := parseHTTP(s)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(u.Path, "/") {
		return nil, usagef("%s: a listing, not one recording: name one of its files (wsreplay ls %s lists them)", s, s)
	}
	resp, err := httpGet(ctx, s, 0, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %v", s, err)
	}
	return resp.Body, nil
}

// httpSource is a catalog's source reading a URL: each replay opens it
// again, and a plain recording's replay seeks (a ranged GET) to where its
// session begins.
func httpSource(ctx context.Context, s string) replayer.Source {
	return replayer.Source{Name: s, Open: func() (io.ReadCloser, error) {
		return &httpFile{ctx: ctx, url: s}, nil
	}}
}

// httpFile reads a URL from an offset: the first Read after a Seek sends
// the GET. Not safe for concurrent use; Close lets go of the response.
type httpFile struct {
	ctx  context.Context
	url  string
	pos  int64
	body io.ReadCloser // nil until the first Read after a Seek
}

func (f *httpFile) Read(p []byte) (int, error) {
	if f.body == nil {
		resp, err := httpGet(f.ctx, f.url, f.pos, "")
		if err != nil {
			return 0, err
		}
		f.body = resp.Body
	}
	n, err := f.body.Read(p)
	f.pos += int64(n)
	return n, err
}

// Seek moves to an offset from the start; the other whences are not
// needed by the catalog and refused.
func (f *httpFile) Seek(offset int64, whence int) (int64, error) {
	if whence != io.SeekStart || offset < 0 {
		return f.pos, errors.New("seek: only to an offset from the start")
	}
	if offset != f.pos {
		f.Close()
		f.pos = offset
	}
	return f.pos, nil
}

func (f *httpFile) Close() error {
	if f.body == nil {
		return nil
	}
	err := f.body.Close()
	f.body = nil
	return err
}
