package main

import (
	"net/url"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
)

// diffSession is a session of one side of a diff and the file it is in.
type diffSession struct {
	File string
	*format.Summary
}

// sessionPair is a session of A and the session of B it is compared with;
// one of them is nil for a session the other side has no match for.
type sessionPair struct{ a, b *diffSession }

// sideSessions lists the sessions of one side's input (a file, a
// directory, an s3:// prefix: what ls takes), a first pass over each
// file, in the order they start (ties in file order).
func sideSessions(c *cli.Context, input string) ([]*diffSession, error) {
	files, err := expandPaths(c.Context, []string{input})
	if err != nil {
		return nil, err
	}
	var all []*diffSession
	for _, f := range files {
		if f == "-" {
			return nil, usagef("diff: %s: diff reads each file more than once; give a file, not -", f)
		}
		sums, err := summarize(f, c.App.ErrWriter)
		if err != nil {
			return nil, err
		}
		for _, s := range sums {
			all = append(all, &diffSession{File: f, Summary: s})
		}
	}
	slices.SortStableFunc(all, func(x, y *diffSession) int { return x.Start.Compare(y.Start) })
	return all, nil
}

// place is what pairs sessions: their kind and the path they asked for,
// without the query (a Socket.IO client's t= and sid differ every time).
func place(s *format.Summary) string {
	p := s.URL
	if u, err := url.Parse(s.URL); err == nil {
		p = u.Path
	} else if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return s.Kind.String() + " " + p
}

// pairByPlace pairs the k-th session of A of a kind and path with the
// k-th of B of the same kind and path, both in the order they start. The
// pairs come in A's order, then B's sessions left over; a session of
// either side with no match is paired with nil.
func pairByPlace(sa, sb []*diffSession) []sessionPair {
	queue := map[string][]*diffSession{}
	for _, s := range sb {
		k := place(s.Summary)
		queue[k] = append(queue[k], s)
	}
	used := map[*diffSession]bool{}
	var pairs []sessionPair
	for _, s := range sa {
		k := place(s.Summary)
		p := sessionPair{a: s}
		if q := queue[k]; len(q) > 0 {
			p.b, queue[k] = q[0], q[1:]
			used[p.b] = true
		}
		pairs = append(pairs, p)
	}
	for _, s := range sb {
		if !used[s] {
			pairs = append(pairs, sessionPair{b: s})
		}
	}
	return pairs
}

// pairSessions lists the sessions of both sides and pairs them: by
// --session, else by place; a side of one session with the other's one
// whatever their places.
func pairSessions(c *cli.Context, a, b string) ([]sessionPair, error) {
	sa, err := sideSessions(c, a)
	if err != nil {
		return nil, err
	}
	sb, err := sideSessions(c, b)
	if err != nil {
		return nil, err
	}
	ids := c.StringSlice("session")
	switch {
	case len(ids) == 0 && len(sa) == 1 && len(sb) == 1:
		return []sessionPair{{sa[0], sb[0]}}, nil // one each: whatever their paths
	case len(ids) == 0:
		return pairByPlace(sa, sb), nil
	case len(ids) == 1:
		ids = append(ids, ids[0])
	case len(ids) > 2:
		return nil, usagef("--session: give it once (both sides) or twice (A's, then B's), not %d times", len(ids))
	}
	pa, err := findSession(a, sa, ids[0])
	if err != nil {
		return nil, err
	}
	pb, err := findSession(b, sb, ids[1])
	if err != nil {
		return nil, err
	}
	return []sessionPair{{pa, pb}}, nil
}
