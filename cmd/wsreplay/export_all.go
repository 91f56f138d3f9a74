package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/export"
)

// Exporting several sessions (a directory, a file holding several, several
// inputs: whatever ls takes) writes one module per session into the
// directory --out names, each named by its place in the recording order,
// its kind, its path and its id ("03-sse-events-7f3a9c2e.mjs"), and an
// index.mjs that installs them all. A session of a kind export does not
// mock gets a one-line error naming it; the others are written.

// readSessions reads every session of the inputs, in the order they first
// appear.
func readSessions(inputs []string, stderr io.Writer) ([]*export.Session, error) {
	byID := map[string]*export.Session{}
	var order []*export.Session
	err := eachRecording(context.Background(), inputs, stderr, func(rec *recording) error {
		for {
			e, err := rec.Next()
			if err != nil {
				return eofNil(err)
			}
			s := byID[e.Session]
			if s == nil {
				s = &export.Session{ID: e.Session}
				byID[e.Session] = s
				order = append(order, s)
			}
			s.Add(e)
		}
	})
	if err != nil {
		return nil, usageError{err}
	}
	return order, nil
}

// exportAll writes a module per session into dir, and index.mjs.
func exportAll(c *cli.Context, target export.Target, sessions []*export.Session) error {
	dir := c.String("out")
	if dir == "-" {
		return usagef("export: the inputs hold %d sessions: give --out DIR for a module each, or --session ID for one", len(sessions))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	var names []string
	failed := 0
	for i, s := range sessions {
		name := moduleName(i+1, len(sessions), s)
		opts, err := exportOptions(c, filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := writeModule(target, s, opts, filepath.Join(dir, name), c.App.Writer); err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "session "+s.ID) {
				msg = "session " + s.ID + ": " + msg
			}
			fmt.Fprintf(c.App.ErrWriter, "wsreplay: export: %s\n", printable(msg))
			failed++
			continue
		}
		names = append(names, name)
	}
	if len(names) > 0 {
		if err := writeFileAtomic(filepath.Join(dir, "index.mjs"), []byte(export.Index(target, names))); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.App.ErrWriter, "wrote %s and index.mjs to %s\n", plural(len(names), "module"), printable(dir))
	if failed > 0 {
		return fmt.Errorf("export: %d of %d sessions not exported (above)", failed, len(sessions))
	}
	return nil
}

// moduleName names the module of the i-th of n sessions.
func moduleName(i, n int, s *export.Session) string {
	width := len(fmt.Sprint(n))
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' {
			return r
		}
		return '-'
	}, strings.SplitN(strings.SplitN(s.URL, "?", 2)[0], "#", 2)[0])
	slug = strings.Trim(slug, "-.")
	if len(slug) > 40 {
		slug = slug[:40]
	}
	if slug == "" {
		slug = "root"
	}
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s.ID)
	return fmt.Sprintf("%0*d-%s-%s-%s.mjs", width, i, s.Kind, slug, id)
}
