package main

import (
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
		}
	}
}
