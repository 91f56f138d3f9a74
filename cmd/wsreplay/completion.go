package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// Shell completion: the scripts ask the binary itself what may come next
// (urfave/cli's --generate-bash-completion: commands, or a command's flags
// after a "-"), and fall back to file names.

const bashCompletion = `# wsreplay completion for bash: source <(wsreplay completion bash)
_wsreplay() {
	local cur=${COMP_WORDS[COMP_CWORD]} words
	if [[ $cur == -* ]]; then
		words=$("${COMP_WORDS[@]:0:COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
	else
		words=$("${COMP_WORDS[@]:0:COMP_CWORD}" --generate-bash-completion 2>/dev/null)
	fi
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o bashdefault -o default -F _wsreplay wsreplay
`

const zshCompletion = `#compdef wsreplay
# wsreplay completion for zsh: source <(wsreplay completion zsh), or save
# it as _wsreplay in a directory of $fpath.
_wsreplay() {
	local -a opts
	local cur=${words[CURRENT]}
	if [[ $cur == -* ]]; then
		opts=("${(@f)$(${words[@]:0:CURRENT-1} $cur --generate-bash-completion 2>/dev/null)}")
	else
		opts=("${(@f)$(${words[@]:0:CURRENT-1} --generate-bash-completion 2>/dev/null)}")
	fi
	if [[ -n ${opts[1]} ]]; then
		_describe 'wsreplay' opts
	else
		_files
	fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
	_wsreplay "$@"
else
	compdef _wsreplay wsreplay
fi
`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		ArgsUsage: "SHELL",
		Description: `Prints a script that completes wsreplay's commands and flags, and file
names, in SHELL: bash, zsh or fish.

Examples:
   source <(wsreplay completion bash)          # in ~/.bashrc
   source <(wsreplay completion zsh)           # in ~/.zshrc, after compinit
   wsreplay completion fish > ~/.config/fish/completions/wsreplay.fish`,
		Action: runCompletion,
	}
}

func runCompletion(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("completion: name one shell: bash, zsh or fish")
	}
	out := c.App.Writer
	switch shell := c.Args().First(); shell {
	case "bash":
		fmt.Fprint(out, bashCompletion)
	case "zsh":
		fmt.Fprint(out, zshCompletion)
	case "fish":
		script, err := c.App.ToFishCompletion()
		if err != nil {
			return fmt.Errorf("completion fish: %v", err)
		}
		fmt.Fprint(out, tidyFish(script))
	default:
		return usagef("completion: %q is not bash, zsh or fish", shell)
	}
	return nil
}

// tidyFish drops the placeholder quotes of flag usages (`FILE`) from
// urfave/cli's fish script, and the lines it repeats.
func tidyFish(script string) string {
	seen := map[string]bool{}
	var b strings.Builder
	for _, line := range strings.SplitAfter(strings.ReplaceAll(script, "`", ""), "\n") {
		if strings.HasPrefix(line, "complete ") {
			if seen[line] {
				continue
			}
			seen[line] = true
		}
		b.WriteString(line)
	}
	return b.String()
}
