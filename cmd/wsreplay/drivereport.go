package main

import (
	"fmt"
	"io"
	"net/url"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/driver"
	"github.com/wsreplay/wsreplay/internal/diff"
	"github.com/wsreplay/wsreplay/recorder"
)

// driveCompareOptions reads --ignore, --max and --time-tolerance for
// drive's comparisons.
func driveCompareOptions(c *cli.Context) (*diff.Options, error) {
	opts, err := compareFlags(c)
	if err != nil {
		return nil, err
	}
	if opts.TimeTolerance, err = durationFlag(c, "time-tolerance"); err != nil {
		return nil, err
	}
	return opts, nil
}

// driveSummary is what the runs of one recorded session came to; the
// first difference and the first error are kept to be shown.
type driveSummary struct {
	Name       string     `json:"name"` // the recording and the session id
	URL        string     `json:"url"`
	Runs       int        `json:"runs"`
	Equal      int        `json:"equal"`
	Different  int        `json:"different"`
	Errors     int        `json:"errors"`
	FirstError string     `json:"first_error,omitempty"`
	Changed    int        `json:"changed"` // of the first run that differed
	Added      int        `json:"added"`
	Removed    int        `json:"removed"`
	Retimed    int        `json:"retimed"`
	Ending     string     `json:"ending,omitempty"` // "recorded -> target" when the endings differ
	Hunks      []diffHunk `json:"hunks,omitempty"`
	first      *diff.Result
}

// driveSummaries are the summaries of every session, in the order given.
// Not safe for concurrent use: RunLoad calls add one at a time.
type driveSummaries struct {
	list       []*driveSummary
	of         map[*driver.Script]*driveSummary
	unredacted int // messages written whole: see driver.Result.Unredacted
}

// newDriveSummaries starts the summaries of scripts, their URLs redacted
// by red as the runs' lines are.
func newDriveSummaries(scripts []*driver.Script, red *recorder.Redactor) *driveSummaries {
	s := &driveSummaries{of: map[*driver.Script]*driveSummary{}}
	for _, sc := range scripts {
		sum := &driveSummary{Name: sc.Name, URL: sc.Open.URL}
		if u, err := url.Parse(sc.Open.URL); err == nil && red != nil {
			sum.URL = red.URL(u)
		}
		s.list = append(s.list, sum)
		s.of[sc] = sum
	}
	return s
}

func (s *driveSummaries) add(r *driver.Result) {
	sum := s.of[r.Script]
	sum.Runs++
	s.unredacted += r.Unredacted
	switch {
	case r.Err != nil:
		sum.Errors++
		if sum.FirstError == "" {
			sum.FirstError = r.Err.Error()
		}
	case r.Same():
		sum.Equal++
	default:
		sum.Different++
		if sum.first == nil {
			sum.keep(r.Diff)
		}
	}
}

// keep holds the first difference, for text and JSON.
func (sum *driveSummary) keep(res *diff.Result) {
	sum.first = res
	sum.Changed, sum.Added, sum.Removed, sum.Retimed = res.Changed, res.Added, res.Removed, res.Retimed
	if res.EndingDiffers {
		sum.Ending = endingText(res.EndingA) + " -> " + endingText(res.EndingB)
	}
	for _, h := range res.Hunks {
		var j diffHunk
		for _, e := range h.Edits {
			j.Edits = append(j.Edits, diffEdit{Kind: string(e.Kind), A: jsonMessage(e.A), B: jsonMessage(e.B)})
		}
		sum.Hunks = append(sum.Hunks, j)
	}
}

// writeText prints a line per session, and its first difference in
// context (A is the recording, B the target's answers).
func (s *driveSummaries) writeText(w io.Writer) error {
	for _, sum := range s.list {
		fmt.Fprintf(w, "%s  %s  %s: %s\n", printable(sum.Name), printable(orDash(sum.URL)), plural(sum.Runs, "run"), sum.verdict())
		if sum.FirstError != "" {
			fmt.Fprintf(w, "  error: %s\n", printable(sum.FirstError))
		}
		if sum.first != nil {
			writeHunks(w, sum.first)
			if sum.Ending != "" {
				fmt.Fprintf(w, "ending: recorded %s, target %s\n", endingText(sum.first.EndingA), endingText(sum.first.EndingB))
			}
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

func (sum *driveSummary) verdict() string {
	if sum.Different == 0 && sum.Errors == 0 {
		return "equal"
	}
	v := fmt.Sprintf("%d equal, %d different, %d errors", sum.Equal, sum.Different, sum.Errors)
	if sum.first != nil {
		v += fmt.Sprintf(" (the first: %d changed, %d added, %d removed, %d retimed)", sum.Changed, sum.Added, sum.Removed, sum.Retimed)
	}
	return v
}
