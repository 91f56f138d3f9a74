package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/importer"
)

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "turn a backend's export of pushed messages into a recording",
		ArgsUsage: "FILE",
		Description: `Reads JSON lines, or one JSON array, with a time and a payload in each record,
and writes a wsreplay recording. FIELD names are dotted paths ("meta.ts").
A payload that is an object or an array becomes its compact JSON text; a
string stays as it is. Records are sorted by time within each session.

Examples:
   wsreplay import pushes.jsonl --time ts --data payload --out bug.ndjson
   wsreplay import export.json --time sent_at --time-unit ms --data body \
       --dir direction --session socket_id --url '/live?room=1' --out bug.ndjson.zst`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "time", Usage: "`FIELD` with each message's time (required)"},
			&cli.StringFlag{Name: "data", Usage: "`FIELD` with each message's payload (required)"},
			&cli.StringFlag{Name: "dir", Usage: "`FIELD` with the direction: in or send (client to server), out or receive (server to client); without it, all are pushes to the client"},
			&cli.StringFlag{Name: "session", Usage: "`FIELD` grouping records into sessions (default: one session)"},
			&cli.StringFlag{Name: "time-unit", Usage: "`UNIT` of --time: rfc3339, s, ms or us (default: guessed)"},
			&cli.StringFlag{Name: "url", Value: "/", Usage: "`PATH` the sessions are recorded under (what serve matches)"},
			&cli.StringFlag{Name: "out", Value: "-", Usage: "`FILE` to write (.ndjson[.gz|.zst] or .har); - is standard output"},
			&cli.BoolFlag{Name: "skip-bad", Usage: "skip records with missing or mistyped fields, and count them"},
		},
		Action: runImport,
	}
}

func runImport(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("import: want one FILE (got %s)", plural(c.NArg(), "argument"))
	}
	if c.String("time") == "" || c.String("data") == "" {
		return usagef("import: --time and --data name the fields to read (both are required)")
	}
	switch u := c.String("time-unit"); u {
	case "", "rfc3339", "s", "ms", "us":
	default:
		return usagef("--time-unit: %q is not rfc3339, s, ms or us", u)
	}
	src, name, err := openInput(c.Context, c.Args().First())
	if err != nil {
		return err
	}
	defer src.Close()
	bar := newByteProgress(c, fileSize(c.Args().First()), "reading "+name)
	res, err := importer.Read(interruptible(c.Context, bar.reader(src)), importer.Options{
		Name: name, Time: c.String("time"), Data: c.String("data"), Dir: c.String("dir"),
		Session: c.String("session"), TimeUnit: c.String("time-unit"), URL: c.String("url"), SkipBad: c.Bool("skip-bad"),
	})
	bar.finish()
	if err != nil {
		return err
	}
	if len(res.Events) == 0 {
		return fmt.Errorf("%s: no records to import (%d read, %d skipped)", name, res.Records, res.Skipped)
	}
	out, err := newOutput(c.String("out"), "", c.App.Version, c.App.Writer)
	if err != nil {
		return err
	}
	for _, e := range res.Events {
		if c.Context.Err() != nil {
			err = errInterrupted
			break
		}
		if err = out.write(e); err != nil {
			break
		}
	}
	if cerr := out.close(c.Context, err == nil); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if res.Skipped > 0 {
		fmt.Fprintf(c.App.ErrWriter, "wsreplay: warning: %s: skipped %d of %s (--skip-bad)\n", printable(name), res.Skipped, plural(res.Records, "record"))
	}
	if c.String("out") != "-" {
		fmt.Fprintf(c.App.ErrWriter, "wrote %s, %s to %s\n", plural(len(out.sessions), "session"), plural(out.messages, "message"), c.String("out"))
	}
	return nil
}
