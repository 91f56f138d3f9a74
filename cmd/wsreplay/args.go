package main

import (
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// permuteArgs moves a command's flags in front of its file arguments, so
// that "wsreplay serve bug.ndjson --speed 4" works: urfave/cli v2 stops
// parsing flags at the first argument. Everything after "--" is left alone.
// An unknown command is a usage error.
func permuteArgs(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	// Shell completion asks with this flag last; it must stay last.
	if last := args[len(args)-1]; last == "--"+cli.BashCompletionFlag.Names()[0] {
		out, err := permuteArgs(app, args[:len(args)-1])
		return append(out, last), err
	}
	// Find the command: the first argument that is not a global flag.
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		if err := checkGlobalFlag(app, args[i:]); err != nil {
			return nil, err
		}
		i++
	}
	if i >= len(args) || args[i] == "--" || args[i] == "help" {
		return args, nil
	}
	cmd := app.Command(args[i])
	if cmd == nil {
		return nil, usagef("unknown command %q (see wsreplay --help)", args[i])
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			takesValue[name] = !isBool
		}
	}
	var flags, rest []string
	tail := args[i+1:]
	for j := 0; j < len(tail); j++ {
		a := tail[j]
		switch {
		case a == "--":
			rest = append(rest, tail[j:]...)
			j = len(tail)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && j+1 < len(tail) {
				j++
				flags = append(flags, tail[j])
			}
		default:
			rest = append(rest, a)
		}
	}
	out := append([]string{}, args[:i+1]...)
	out = append(out, flags...)
	return append(out, rest...), nil
}

// checkGlobalFlag refuses a flag given before the command (args[0]) that
// is not one of the app's own ("wsreplay --listen X serve"), naming the
// commands it belongs to: urfave/cli would take its value for the command.
func checkGlobalFlag(app *cli.App, args []string) error {
	name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
	if name == "" {
		return nil
	}
	for _, f := range append([]cli.Flag{cli.HelpFlag, cli.VersionFlag, cli.BashCompletionFlag}, app.Flags...) {
		if slices.Contains(f.Names(), name) {
			return nil
		}
	}
	var owners []string
	takesValue := false
	for _, cmd := range app.Commands {
		for _, f := range cmd.Flags {
			if slices.Contains(f.Names(), name) {
				owners = append(owners, cmd.Name)
				_, isBool := f.(*cli.BoolFlag)
				takesValue = !isBool
			}
		}
	}
	if len(owners) == 0 {
		return usagef("unknown flag %s (see wsreplay --help)", args[0])
	}
	cmd, example := owners[0], args[0]
	if takesValue && !hasValue && len(args) > 1 {
		example += " " + args[1]
	}
	for _, a := range args[1:] {
		if slices.Contains(owners, a) {
			cmd = a
			break
		}
	}
	return usagef("--%s is a flag of %s, not of wsreplay itself: put it after the command, as in: wsreplay %s %s", name, joinAnd(owners), cmd, example)
}

// joinAnd lists names as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Go's flag package names a flag with one dash ("flag provided but not
// defined: -nope"); the user typed two.
var (
	undefinedFlagRE = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)
	invalidValueRE  = regexp.MustCompile(`^invalid value (".*") for flag -+([^:]+): (.*)$`)
	needsValueRE    = regexp.MustCompile(`^flag needs an argument: -+(.+)$`)
)

// flagUsageError words an error of the command line's parsing with the
// flag as it is typed (--nope), naming the command; it is a usageError.
func flagUsageError(c *cli.Context, err error) error {
	cmd := "wsreplay"
	if c != nil && c.Command != nil && c.Command.Name != "" {
		cmd += " " + c.Command.Name
	}
	msg := err.Error()
	switch {
	case undefinedFlagRE.MatchString(msg):
		m := undefinedFlagRE.FindStringSubmatch(msg)
		return usagef("%s is no flag of %s (see %s --help)", dashed(m[1]), cmd, cmd)
	case invalidValueRE.MatchString(msg):
		m := invalidValueRE.FindStringSubmatch(msg)
		return usagef("%s: invalid value %s: %s", dashed(m[2]), m[1], m[3])
	case needsValueRE.MatchString(msg):
		m := needsValueRE.FindStringSubmatch(msg)
		return usagef("%s needs a value", dashed(m[1]))
	}
	return usageError{err}
}

// dashed is a flag's name as it is typed: -h, --speed.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
