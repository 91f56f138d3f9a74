package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/export"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "turn a recorded session into a Playwright or MSW mock for a frontend's tests",
		ArgsUsage: "FILE",
		Description: `Writes an ES module that replays one session of FILE in a test, with
its timing and its ending:

   --to playwright: export default async function replay(page, options),
      on page.routeWebSocket (page may also be a BrowserContext);
   --to msw: export const handlers (for setupServer or setupWorker) on
      ws.link, and configure(options).

Options of both: url, speed (a number or "max"), wait, onClientMessage,
followIds. A reply waits for the client's request it answers and carries
the ids the client chose (graphql operation ids, JSON-RPC ids, Phoenix
refs: the session's protocol, found as cat finds it, or JSON values the
client chose that the server echoes); followIds: false plays every
message as recorded. MQTT, STOMP and SignalR replies, not JSON, keep the
recorded clock and ids.
The module is formatted and documented at its top, payloads included; a
session whose messages take more than 256 KiB puts them in a JSON file next
to the module (OUT with .json for its extension), or as --sidecar says.

Example:
   wsreplay export --to playwright bug.ndjson.zst --out tests/bug.replay.mjs
   wsreplay export --to msw bug.ndjson --session 7f3a9c2e --out src/mocks/live.mjs`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "the kind of module: `playwright` or msw"},
			&cli.StringFlag{Name: "session", Usage: "export this session `ID` (needed when FILE holds several)"},
			&cli.StringFlag{Name: "out", Value: "-", Usage: "write the module to `FILE` (- for standard output)"},
			&cli.StringFlag{Name: "sidecar", Value: "auto", Usage: "put the messages in a JSON file next to the module: `auto` (over 256 KiB), always or never"},
		},
		Action: runExport,
	}
}

func runExport(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("export: name one recording file (got %d)", c.NArg())
	}
	target := export.Target(c.String("to"))
	if target != export.Playwright && target != export.MSW {
		return usagef("--to: %q is not playwright or msw", c.String("to"))
	}
	opts, err := exportOptions(c)
	if err != nil {
		return err
	}
	sess, err := readSession(c.Args().First(), c.String("session"), c.App.ErrWriter)
	if err != nil {
		return err
	}
	sess.Follow(nil) // its protocol, as cat finds it: replies wait for their requests
	files, err := export.Write(target, sess, opts)
	var tooBig *export.TooBigError
	switch {
	case errors.As(err, &tooBig):
		return hinted{err, "give --out FILE, or --sidecar never to embed them anyway"}
	case err != nil:
		return usagef("%s: %s", c.Args().First(), printable(err.Error()))
	}
	out := c.String("out")
	if out == "-" {
		_, err := c.App.Writer.Write(files.Module)
		return err
	}
	if files.Sidecar != nil {
		if err := writeFileAtomic(filepath.Join(filepath.Dir(out), opts.SidecarName), files.Sidecar); err != nil {
			return err
		}
	}
	return writeFileAtomic(out, files.Module)
}

// exportOptions reads --sidecar and --out, and records the command line
// for the module's header.
func exportOptions(c *cli.Context) (*export.Options, error) {
	opts := &export.Options{}
	switch s := c.String("sidecar"); s {
	case "auto":
		opts.Sidecar = export.SidecarAuto
	case "always":
		opts.Sidecar = export.SidecarAlways
	case "never":
		opts.Sidecar = export.SidecarNever
	default:
		return nil, usagef("--sidecar: %q is not auto, always or never", s)
	}
	out := c.String("out")
	if out != "-" {
		base := filepath.Base(out)
		opts.ModuleName = base
		opts.SidecarName = strings.TrimSuffix(base, filepath.Ext(base)) + ".json"
	} else if opts.Sidecar == export.SidecarAlways {
		return nil, usagef("--sidecar always: the sidecar goes next to the module; give --out FILE")
	}
	args := []string{"wsreplay", "export", "--to", c.String("to"), c.Args().First()}
	if id := c.String("session"); id != "" {
		args = append(args, "--session", id)
	}
	if out != "-" {
		args = append(args, "--out", out)
	}
	if c.IsSet("sidecar") {
		args = append(args, "--sidecar", c.String("sidecar"))
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	opts.Command = strings.Join(args, " ")
	return opts, nil
}

// readSession reads one session of a recording: the one named, or the only
// one. A torn tail ends it (readRecording warns).
func readSession(path, id string, stderr io.Writer) (*export.Session, error) {
	var sess *export.Session
	var ids []string
	err := withRecording(path, stderr, func(r format.Stream) error {
		var err error
		sess, ids, err = pickSession(r, id)
		return err
	})
	switch {
	case err != nil:
		return nil, usageError{err}
	case id != "" && sess == nil:
		return nil, usagef("--session: %s has no session %q", path, printable(id))
	case sess == nil && len(ids) == 0:
		return nil, usagef("%s: no session in it", path)
	case sess == nil:
		if len(ids) > 5 {
			ids = append(ids[:5], fmt.Sprintf("... (%d in all)", len(ids)))
		}
		return nil, usagef("%s holds %d sessions; choose one with --session (%s)", path, len(ids), printable(strings.Join(ids, ", ")))
	}
	return sess, nil
}

// pickSession reads session id of r; or, when id is empty, the session of
// r's first line, returned only if r holds no other, with the ids of the
// sessions of r (read to its end to find them). A session r does not hold
// is nil. A torn tail ends the reading, and is returned with what was read.
func pickSession(r format.Stream, id string) (*export.Session, []string, error) {
	named := id != ""
	list := &sessionList{src: r, seen: map[string]bool{}}
	if !named {
		first, err := list.Next()
		if err != nil {
			return nil, nil, eofNil(err)
		}
		id, list.back = first.Session, first
	}
	sess, err := readOne(format.NewSessionReader(list, id))
	if named {
		return sess, nil, err
	}
	for err == nil {
		_, err = list.Next()
	}
	if len(list.ids) > 1 {
		sess = nil
	}
	return sess, list.ids, eofNil(err)
}

// readOne reads the events of one session into an export.Session, nil if
// there are none.
func readOne(r format.Stream) (*export.Session, error) {
	var sess *export.Session
	for {
		e, err := r.Next()
		if err != nil {
			return sess, eofNil(err)
		}
		if sess == nil {
			sess = &export.Session{ID: e.Session}
		}
		sess.Add(e)
	}
}

// sessionList is a Stream that notes the id of every session whose lines
// it passes on, in the order they first appear.
type sessionList struct {
	src  format.Stream
	seen map[string]bool
	ids  []string
	back *format.Event // read already, passed on by the next Next
}

func (l *sessionList) Next() (*format.Event, error) {
	e := l.back
	l.back = nil
	if e == nil {
		var err error
		if e, err = l.src.Next(); err != nil {
			return nil, err
		}
	}
	if !l.seen[e.Session] {
		l.seen[e.Session] = true
		l.ids = append(l.ids, e.Session)
	}
	return e, nil
}

// eofNil is err, or nil for io.EOF.
func eofNil(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
