package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// envPrefix starts the environment variable of every flag of the
// long-running commands: --upstream is WSREPLAY_UPSTREAM. A flag given on
// the command line wins over its variable.
const envPrefix = "WSREPLAY_"

// envName is the environment variable of a flag.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// fromEnv lets every flag of cmd come from its environment variable, as a
// container's configuration usually does; --help lists them. Repeatable
// flags take a comma-separated list.
func fromEnv(cmd *cli.Command) {
	for _, f := range cmd.Flags {
		env := []string{envName(f.Names()[0])}
		switch f := f.(type) {
		case *cli.StringFlag:
			f.EnvVars = env
		case *cli.StringSliceFlag:
			f.EnvVars = env
		case *cli.BoolFlag:
			f.EnvVars = env
		case *cli.IntFlag:
			f.EnvVars = env
		case *cli.GenericFlag:
			f.EnvVars = env
		}
	}
}

// warnUnknownEnv is part of the Before of record and serve: a WSREPLAY_
// variable that is no flag's of the command is ignored, so it is named in a
// warning (with the variable it may have meant), once per run.
func warnUnknownEnv(c *cli.Context) error {
	known := map[string]string{} // variable: flag
	for _, f := range c.Command.Flags {
		known[envName(f.Names()[0])] = f.Names()[0]
	}
	others := map[string][]string{} // variable: the other commands it is a flag of
	for _, cmd := range c.App.Commands {
		for _, f := range cmd.Flags {
			if v := envName(f.Names()[0]); cmd.Name != c.Command.Name && known[v] == "" {
				others[v] = append(others[v], cmd.Name)
			}
		}
	}
	var vars []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, envPrefix) && known[name] == "" && !ignoredEnv[name] {
			vars = append(vars, name)
		}
	}
	slices.Sort(vars)
	for _, v := range slices.Compact(vars) {
		switch {
		case len(others[v]) > 0:
			fmt.Fprintf(c.App.ErrWriter, "wsreplay: warning: %s is a flag of wsreplay %s, not of wsreplay %s: ignored\n",
				v, strings.Join(others[v], ", "), c.Command.Name)
		case closest(v, known) != "":
			fmt.Fprintf(c.App.ErrWriter, "wsreplay: warning: %s is no flag's variable of wsreplay %s: ignored (did you mean %s?)\n",
				v, c.Command.Name, closest(v, known))
		default:
			fmt.Fprintf(c.App.ErrWriter, "wsreplay: warning: %s is no flag's variable of wsreplay %s: ignored\n", v, c.Command.Name)
		}
	}
	return nil
}

// ignoredEnv are WSREPLAY_ variables that are not flags: a profile for
// performance work, and the tests' own.
var ignoredEnv = map[string]bool{"WSREPLAY_CPUPROFILE": true, "WSREPLAY_TEST_MAIN": true}

// closest returns the variable of known nearest to v, if it is at most two
// edits away.
func closest(v string, known map[string]string) string {
	best, bestD := "", 3
	for k := range known {
		if d := editDistance(v, k); d < bestD || d == bestD && k < best {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// flagErrorRE finds the flag an error is about: the CLI's errors start
// with it ("--speed: ...").
var flagErrorRE = regexp.MustCompile(`^--([a-z0-9-]+)([: ])`)

// fromVariable words an error about a flag whose value came from its
// environment variable (WSREPLAY_SPEED=fast) with the variable's name, since
// the command line has no --speed to look at. args is the command line.
func fromVariable(app *cli.App, args []string, err error) error {
	m := flagErrorRE.FindStringSubmatch(fmt.Sprint(err))
	if err == nil || m == nil {
		return err
	}
	i := 1 // the command: the first argument that is not a global flag
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		i++
	}
	if i >= len(args) || app.Command(args[i]) == nil || (args[i] != "record" && args[i] != "serve") {
		return err
	}
	flag := m[1]
	for _, a := range args[i+1:] {
		if a == "--" {
			break
		}
		if name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); strings.HasPrefix(a, "-") && name == flag {
			return err // given on the command line
		}
	}
	v := envName(flag)
	if _, set := os.LookupEnv(v); !set {
		return err
	}
	return renamed{err, v + strings.TrimPrefix(err.Error(), "--"+flag)}
}

// renamed is err with another message.
type renamed struct {
	error
	msg string
}

func (r renamed) Error() string { return r.msg }
func (r renamed) Unwrap() error { return r.error }
