package diff

import (
	"fmt"
	"strconv"
	"strings"
)

// Path is a parsed JSON path naming the parts of a message to leave out of
// the comparison. The zero value matches nothing.
//
// The syntax is the common subset of JSONPath: $ is the message, .name and
// ['name'] a member, [N] an array element, .* and [*] every member or
// element, and ..name (or ..*) the named members at any depth:
// $.ts, $..id, $.list[*].x, $.data['trace-id'].
type Path struct {
	src   string
	steps []step
}

type step struct {
	descend bool   // ..: at this level or any depth below
	wild    bool   // * or [*]
	name    string // a member name, if index < 0
	index   int    // an array index, or -1
}

// String returns the path as it was written.
func (p Path) String() string { return p.src }

// ParsePath parses a JSON path such as $.a.b, $..id or $.list[*].x.
func ParsePath(s string) (Path, error) {
	p := Path{src: s}
	if !strings.HasPrefix(s, "$") {
		return Path{}, fmt.Errorf("%q does not start with $ (like $.ts, $..id, $.list[*].x)", s)
	}
	rest := s[1:]
	for rest != "" {
		var st step
		var err error
		st, rest, err = parseStep(rest)
		if err != nil {
			return Path{}, fmt.Errorf("%q: %v", s, err)
		}
		p.steps = append(p.steps, st)
	}
	if len(p.steps) == 0 {
		return Path{}, fmt.Errorf("%q names the whole message; name a part of it (like $.ts)", s)
	}
	return p, nil
}

// parseStep reads one step from the front of s.
func parseStep(s string) (step, string, error) {
	st := step{index: -1}
	switch {
	case strings.HasPrefix(s, ".."):
		st.descend = true
		s = s[2:]
		if strings.HasPrefix(s, "[") {
			return parseBracket(st, s)
		}
	case strings.HasPrefix(s, "."):
		s = s[1:]
	case strings.HasPrefix(s, "["):
		return parseBracket(st, s)
	default:
		return st, "", fmt.Errorf("unexpected %q (a step starts with ., .. or [)", s)
	}
	end := strings.IndexAny(s, ".[")
	if end < 0 {
		end = len(s)
	}
	name := s[:end]
	if name == "" {
		return st, "", fmt.Errorf("empty member name")
	}
	if name == "*" {
		st.wild = true
	}
	st.name = name
	return st, s[end:], nil
}

// parseBracket reads [N], [*], ['name'] or ["name"].
func parseBracket(st step, s string) (step, string, error) {
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return st, "", fmt.Errorf("%q has no closing ]", s)
	}
	in := s[1:end]
	switch {
	case in == "*":
		st.wild = true
	case len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0]:
		st.name = in[1 : len(in)-1]
	default:
		n, err := strconv.Atoi(in)
		if err != nil || n < 0 {
			return st, "", fmt.Errorf("[%s] is not [N], [*] or ['name']", in)
		}
		st.index = n
	}
	return st, s[end+1:], nil
}

func (st step) matchesKey(k string) bool { return st.wild || st.index < 0 && st.name == k }
func (st step) matchesIndex(i int) bool  { return st.wild || st.index == i }

// ignored replaces an array element a path leaves out, so that the
// elements after it keep their places.
const ignored = "\x00ignored"

// remove leaves out of v (decoded JSON: map[string]any, []any, scalars)
// what p names. It changes v in place.
func (p Path) remove(v any) {
	if len(p.steps) > 0 {
		removeSteps(v, p.steps)
	}
}

func removeSteps(v any, steps []step) {
	st, rest := steps[0], steps[1:]
	removeHere(v, st, rest)
	if !st.descend {
		return
	}
	// ..name also applies at every depth below.
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			removeSteps(c, steps)
		}
	case []any:
		for _, c := range x {
			removeSteps(c, steps)
		}
	}
}

// removeHere applies one step to the children of v: the last step removes
// them, others descend into them.
func removeHere(v any, st step, rest []step) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if !st.matchesKey(k) {
				continue
			}
			if len(rest) == 0 {
				delete(x, k)
			} else {
				removeSteps(c, rest)
			}
		}
	case []any:
		for i, c := range x {
			if !st.matchesIndex(i) {
				continue
			}
			if len(rest) == 0 {
				x[i] = ignored
			} else {
				removeSteps(c, rest)
			}
		}
	}
}
