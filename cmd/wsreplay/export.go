package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/export"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "turn a recorded session into a Playwright or MSW mock for a frontend's tests",
		ArgsUsage: "RECORDING...",
		Description: `Writes an ES module that replays a recorded session in a test, with
its timing and its ending. RECORDING is anything ls takes (files,
directories, s3:// and http:// URLs); with several sessions in it, --out
names a directory, which gets one module per session, named
NN-KIND-PATH-ID.mjs in recording order, and an index.mjs that installs
them all (a session export cannot mock gets a one-line error naming it,
and the command exits 1 after writing the others).

WebSocket sessions:

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

Socket.IO sessions (Engine.IO 4: Socket.IO 3 and 4): the same API, as an
Engine.IO server on the WebSocket transport (the client must use
transports: ["websocket"]): fresh sids, live pings, namespace CONNECTs
answered, ack answers under the client's ack ids, binary attachments.
Server-Sent Events: --to playwright on page.route (the whole stream at
once: page.route cannot pace a body), --to msw on sse() at the recorded
pace. Polling (--poll sessions): page.route or MSW http handlers, the
k-th request answered with the k-th recorded response at its offset.
The module is formatted and documented at its top, payloads included; a
session whose messages take more than 256 KiB puts them in a JSON file next
to the module (OUT with .json for its extension), or as --sidecar says.

Example:
   wsreplay export --to playwright bug.ndjson.zst --out tests/bug.replay.mjs
   wsreplay export --to msw bug.ndjson --session 7f3a9c2e --out src/mocks/live.mjs
   wsreplay export --to playwright recordings/ --out tests/mocks/`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "the kind of module: `playwright` or msw"},
			&cli.StringFlag{Name: "session", Usage: "export this session `ID` only"},
			&cli.StringFlag{Name: "out", Value: "-", Usage: "write the module to `FILE` (- for standard output); a directory for several sessions"},
			&cli.StringFlag{Name: "sidecar", Value: "auto", Usage: "put the messages in a JSON file next to the module: `auto` (over 256 KiB), always or never"},
		},
		Action: runExport,
	}
}

func runExport(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("export: name a recording (a file, a directory, or anything ls takes)")
	}
	target := export.Target(c.String("to"))
	if target != export.Playwright && target != export.MSW {
		return usagef("--to: %q is not playwright or msw", c.String("to"))
	}
	if _, err := sidecarOf(c); err != nil {
		return err
	}
	sessions, err := readSessions(c.Args().Slice(), c.App.ErrWriter)
	if err != nil {
		return err
	}
	inputs := strings.Join(c.Args().Slice(), " ")
	if id := c.String("session"); id != "" {
		sessions = slices.DeleteFunc(sessions, func(s *export.Session) bool { return s.ID != id })
		if len(sessions) == 0 {
			return usagef("--session: %s has no session %q", inputs, printable(id))
		}
	}
	switch out := c.String("out"); {
	case len(sessions) == 0:
		return usagef("%s: no session in it", inputs)
	case len(sessions) > 1 && (out == "-" || strings.HasSuffix(out, ".mjs") || strings.HasSuffix(out, ".js")):
		var ids []string
		for _, s := range sessions[:min(len(sessions), 5)] {
			ids = append(ids, s.ID)
		}
		if len(sessions) > 5 {
			ids = append(ids, fmt.Sprintf("... (%d in all)", len(sessions)))
		}
		return usagef("%s holds %d sessions; choose one with --session (%s), or give --out DIR for a module each",
			inputs, len(sessions), printable(strings.Join(ids, ", ")))
	case len(sessions) > 1:
		return exportAll(c, target, sessions)
	}
	opts, err := exportOptions(c, c.String("out"))
	if err != nil {
		return err
	}
	err = writeModule(target, sessions[0], opts, c.String("out"), c.App.Writer)
	var tooBig *export.TooBigError
	switch {
	case errors.As(err, &tooBig):
		return hinted{err, "give --out FILE, or --sidecar never to embed them anyway"}
	case err != nil:
		return usagef("%s: %s", inputs, printable(err.Error()))
	}
	return nil
}

// writeModule writes the module of s (and its sidecar) to out; "-" is
// standard output.
func writeModule(target export.Target, s *export.Session, opts *export.Options, out string, stdout io.Writer) error {
	s.Follow(nil) // its protocol, as cat finds it: replies wait for their requests
	files, err := export.Write(target, s, opts)
	if err != nil {
		return err
	}
	if out == "-" {
		_, err := stdout.Write(files.Module)
		return err
	}
	if files.Sidecar != nil {
		if err := writeFileAtomic(filepath.Join(filepath.Dir(out), opts.SidecarName), files.Sidecar); err != nil {
			return err
		}
	}
	return writeFileAtomic(out, files.Module)
}

// sidecarOf reads --sidecar.
func sidecarOf(c *cli.Context) (export.Sidecar, error) {
	switch s := c.String("sidecar"); s {
	case "auto":
		return export.SidecarAuto, nil
	case "always":
		return export.SidecarAlways, nil
	case "never":
		return export.SidecarNever, nil
	default:
		return 0, usagef("--sidecar: %q is not auto, always or never", s)
	}
}

// exportOptions reads --sidecar for a module written to out, and records
// the command line for the module's header.
func exportOptions(c *cli.Context, out string) (*export.Options, error) {
	sidecar, err := sidecarOf(c)
	if err != nil {
		return nil, err
	}
	opts := &export.Options{Sidecar: sidecar}
	if out != "-" {
		base := filepath.Base(out)
		opts.ModuleName = base
		opts.SidecarName = strings.TrimSuffix(base, filepath.Ext(base)) + ".json"
	} else if opts.Sidecar == export.SidecarAlways {
		return nil, usagef("--sidecar always: the sidecar goes next to the module; give --out FILE")
	}
	args := append([]string{"wsreplay", "export", "--to", c.String("to")}, c.Args().Slice()...)
	if id := c.String("session"); id != "" {
		args = append(args, "--session", id)
	}
	if c.String("out") != "-" {
		args = append(args, "--out", c.String("out"))
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
