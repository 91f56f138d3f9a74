package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// docFiles are README.md and every page under docs/, as paths from the
// repository's root.
func docFiles(t testing.TB) []string {
	t.Helper()
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs pages: %v", err)
	}
	files := []string{"README.md"}
	for _, p := range pages {
		files = append(files, strings.TrimPrefix(p, "../../"))
	}
	return files
}

// docLine is one line of a documentation file, with where it is and
// whether it is inside a fenced code block.
type docLine struct {
	file string
	n    int
	text string
	code bool
}

func (l docLine) String() string { return fmt.Sprintf("%s:%d", l.file, l.n) }

// readDoc returns the lines of a documentation file. A code line ending in
// a backslash is joined with the next, as the shell does.
func readDoc(t testing.TB, file string) []docLine {
	t.Helper()
	f, err := os.Open("../../" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []docLine
	code := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(text), "```") {
			code = !code
			continue
		}
		if k := len(lines) - 1; code && k >= 0 && lines[k].code && strings.HasSuffix(lines[k].text, `\`) {
			lines[k].text = strings.TrimSuffix(lines[k].text, `\`) + " " + strings.TrimSpace(text)
			continue
		}
		lines = append(lines, docLine{file, n, text, code})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// shellWords splits a command line as a shell would for our examples:
// quotes, a comment after " #", and a pipeline or redirection ending a
// command. It returns each command of a pipeline.
func shellWords(line string) [][]string {
	var cmds [][]string
	var words []string
	var word strings.Builder
	inWord := false
	redirect := false // the next word is a redirection's target, no argument
	flush := func() {
		if inWord && !redirect {
			words = append(words, word.String())
		}
		if inWord {
			redirect = false
		}
		word.Reset()
		inWord = false
	}
	endCmd := func() {
		flush()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\'' || c == '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				j = len(line) - i - 1
			}
			word.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			endCmd()
			return cmds
		case c == '|' || c == ';' || c == '&' || c == ')':
			endCmd()
		case c == '>' || c == '<':
			flush()
			redirect = true
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

// examples returns every wsreplay command line in a documentation line:
// each command of a code line (after an optional "$ " prompt) that starts
// with "wsreplay", and each inline code span that does.
func examples(l docLine) [][]string {
	var texts []string
	if l.code {
		texts = []string{strings.TrimPrefix(strings.TrimSpace(l.text), "$ ")}
	} else {
		for _, m := range regexp.MustCompile("`(wsreplay [^`]*)`").FindAllStringSubmatch(l.text, -1) {
			texts = append(texts, m[1])
		}
	}
	var out [][]string
	for _, text := range texts {
		for _, words := range shellWords(text) {
			if len(words) > 1 && words[0] == "wsreplay" {
				out = append(out, words)
			}
		}
	}
	return out
}

// parseOnly is the app with every command's action (and hook) replaced by
// nothing, so that a command line is parsed and not run.
func parseOnly() *cli.App {
	app := newApp(io.Discard, io.Discard)
	for _, c := range app.Commands {
		c.Action = func(*cli.Context) error { return nil }
		c.Before, c.After = nil, nil
	}
	return app
}

// Every wsreplay example in README.md and docs/ parses: its command
// exists, and so does each of its flags, with a value where the flag takes
// one. (The commands are not run.)
func TestDocsExamplesParse(t *testing.T) {
	count := 0
	for _, file := range docFiles(t) {
		for _, l := range readDoc(t, file) {
			for _, words := range examples(l) {
				count++
				if err := parseExample(words); err != nil {
					t.Errorf("%s: %q: %v", l, strings.Join(words, " "), err)
				}
			}
		}
	}
	if count < 30 {
		t.Errorf("found %d wsreplay examples in the docs; the parser must be missing them", count)
	}
}

// parseExample parses a command line with the real app, its actions off,
// and reports an unknown command or flag by name.
func parseExample(words []string) error {
	app := parseOnly()
	if cmd := app.Command(words[1]); cmd != nil {
		for _, w := range words[2:] {
			if w == "--" {
				break
			}
			name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
			if strings.HasPrefix(w, "--") && name != "" && !hasFlag(cmd, name) && name != "help" {
				return fmt.Errorf("--%s is no flag of wsreplay %s", name, cmd.Name)
			}
		}
	}
	args, err := permuteArgs(app, words)
	if err != nil {
		return err
	}
	return app.RunContext(context.Background(), args)
}

func hasFlag(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		if slices.Contains(f.Names(), name) {
			return true
		}
	}
	return false
}

// A command's flag table is the table after a line "Flags of `wsreplay
// CMD`" (a heading or a sentence); each row starts with the flag.
var (
	flagTableRE = regexp.MustCompile("Flags of `wsreplay ([a-z]+)`")
	flagRowRE   = regexp.MustCompile("^\\| `--([a-z0-9-]+)`")
)

// Each command's flags are documented in its flag table, all of them and
// no other: a new flag fails this test until its row is written.
func TestDocsFlagTables(t *testing.T) {
	tables := map[string][]string{} // command: the flags of its table
	where := map[string]docLine{}
	for _, file := range docFiles(t) {
		lines := readDoc(t, file)
		for i, l := range lines {
			m := flagTableRE.FindStringSubmatch(l.text)
			if m == nil || l.code || strings.Contains(l.text, "| `") {
				continue
			}
			if prev, ok := where[m[1]]; ok {
				t.Errorf("%s: a second flag table of wsreplay %s (the first is at %s)", l, m[1], prev)
			}
			where[m[1]] = l
			var rows []string
			for _, r := range lines[i+1:] {
				if strings.HasPrefix(r.text, "#") || (len(rows) > 0 && !strings.HasPrefix(r.text, "|")) {
					break
				}
				if fm := flagRowRE.FindStringSubmatch(r.text); fm != nil {
					rows = append(rows, fm[1])
				}
			}
			tables[m[1]] = rows
		}
	}
	for _, cmd := range newApp(io.Discard, io.Discard).Commands {
		rows, ok := tables[cmd.Name]
		if len(cmd.Flags) == 0 {
			continue
		}
		if !ok {
			t.Errorf("no docs page has a flag table of wsreplay %s (a line \"Flags of `wsreplay %s`\" before it)", cmd.Name, cmd.Name)
			continue
		}
		for _, f := range cmd.Flags {
			if !slices.Contains(rows, f.Names()[0]) {
				t.Errorf("%s: the flag table of wsreplay %s has no row for --%s", where[cmd.Name], cmd.Name, f.Names()[0])
			}
		}
		for _, r := range rows {
			if !hasFlag(cmd, r) {
				t.Errorf("%s: the flag table of wsreplay %s has a row for --%s, which is no flag of it", where[cmd.Name], cmd.Name, r)
			}
		}
	}
	for name, l := range where {
		if newApp(io.Discard, io.Discard).Command(name) == nil {
			t.Errorf("%s: a flag table of wsreplay %s, which is no command", l, name)
		}
	}
}

// otherTools' flags appear in the docs beside wsreplay's: npm, buildah,
// docker, curl, node, go test, chromium; and --nope, the docs' example of a flag that
// does not exist.
var otherTools = []string{
	"prefix", "no-audit", "no-fund", "storage-driver", "isolation", "ulimit", "data-urlencode",
	"experimental-websocket", "print-width", "version", "help", "nope", "remote-debugging-port",
}

// Every --flag the docs name anywhere (prose included) is a flag of some
// wsreplay command, or of another tool they show: a flag renamed or
// removed leaves no stale mention behind.
func TestDocsNameOnlyRealFlags(t *testing.T) {
	known := map[string]bool{}
	for _, cmd := range newApp(io.Discard, io.Discard).Commands {
		for _, f := range cmd.Flags {
			for _, n := range f.Names() {
				known[n] = true
			}
		}
	}
	for _, n := range otherTools {
		known[n] = true
	}
	flagRE := regexp.MustCompile(`(?:^|[\s\x60(\[])--([a-z][a-z0-9-]*)`)
	for _, file := range docFiles(t) {
		for _, l := range readDoc(t, file) {
			for _, m := range flagRE.FindAllStringSubmatch(l.text, -1) {
				if strings.HasSuffix(m[1], "-") && slices.ContainsFunc(slices.Collect(maps.Keys(known)), func(k string) bool { return strings.HasPrefix(k, m[1]) }) {
					continue // a family: --record-*
				}
				if !known[m[1]] {
					t.Errorf("%s: --%s is no flag of any wsreplay command", l, m[1])
				}
			}
		}
	}
}

// Every relative link of README.md and docs/ resolves: the file exists,
// and an anchor into a markdown page names one of its headings.
func TestDocsLinksResolve(t *testing.T) {
	linkRE := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, file := range docFiles(t) {
		for _, l := range readDoc(t, file) {
			if l.code {
				continue
			}
			for _, m := range linkRE.FindAllStringSubmatch(l.text, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				resolved := file
				if path != "" {
					resolved = filepath.ToSlash(filepath.Join(filepath.Dir(file), path))
				}
				if _, err := os.Stat("../../" + resolved); err != nil {
					t.Errorf("%s: link %s: no file %s", l, target, resolved)
					continue
				}
				if anchor != "" && strings.HasSuffix(resolved, ".md") && !slices.Contains(anchors(t, resolved), anchor) {
					t.Errorf("%s: link %s: %s has no heading #%s", l, target, resolved, anchor)
				}
			}
		}
	}
}

// anchors are the fragment names GitHub gives a page's headings: lower
// case, spaces as hyphens, punctuation other than - and _ left out.
func anchors(t testing.TB, file string) []string {
	var out []string
	for _, l := range readDoc(t, file) {
		if l.code || !strings.HasPrefix(l.text, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(l.text, "#")))
		var b strings.Builder
		for _, r := range h {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteRune(r)
			}
		}
		out = append(out, b.String())
	}
	return out
}

// Every test, fuzz target and benchmark that docs/guarantees.md names as a
// proof exists in the tree: a renamed or deleted test cannot leave a
// guarantee without its proof.
func TestGuaranteesNameRealTests(t *testing.T) {
	page, err := os.ReadFile("../../docs/guarantees.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	funcRE := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark)\w+)\(`)
	err = filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, "_test.go") {
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range funcRE.FindAllSubmatch(src, -1) {
				defined[string(m[1])] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile("`((?:Test|Fuzz|Benchmark)[A-Za-z0-9_]+)`")
	for i, line := range strings.Split(string(page), "\n") {
		for _, m := range named.FindAllStringSubmatch(line, -1) {
			if !defined[m[1]] {
				t.Errorf("docs/guarantees.md:%d names %s, which no test file defines", i+1, m[1])
			}
		}
	}
}
