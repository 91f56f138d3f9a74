package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The completion scripts, run by the shells themselves against this
// binary, complete commands, flags (after files too) and file names.
func TestCompletion(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "wsreplay")
	if err := os.Symlink(os.Args[0], bin); err != nil {
		t.Skip("no symlinks here:", err)
	}
	env := append(os.Environ(), "WSREPLAY_TEST_MAIN=1", "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	empty := t.TempDir() // the shells run here, so that no file name is offered

	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			out, errOut, code := wsreplay(t, "completion", sh)
			if code != 0 || errOut != "" || !strings.Contains(out, "wsreplay") {
				t.Errorf("completion %s: exit %d: %s", sh, code, errOut)
			}
			if strings.Contains(out, "`") {
				t.Errorf("completion %s: placeholder quotes left in:\n%s", sh, out)
			}
		})
	}
	if _, errOut, code := wsreplay(t, "completion", "tcsh"); code != 2 || !strings.Contains(errOut, `"tcsh" is not bash, zsh or fish`) {
		t.Errorf("completion tcsh: exit %d: %s", code, errOut)
	}

	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script, _, _ := wsreplay(t, "completion", "bash")
	tests := []struct {
		words string // COMP_WORDS, the last one being completed
		want  []string
	}{
		{"wsreplay se", []string{"serve"}},
		{"wsreplay c", []string{"cat", "convert", "completion"}},
		{"wsreplay serve --sp", []string{"--speed"}},
		{"wsreplay serve bug.ndjson --li", []string{"--listen"}},
		{"wsreplay convert --fo", []string{"--format"}},
	}
	for _, tt := range tests {
		t.Run(tt.words, func(t *testing.T) {
			cmd := exec.Command("bash", "-c", script+`
COMP_WORDS=(`+tt.words+`); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _wsreplay; echo "${COMPREPLY[@]}"`)
			cmd.Env, cmd.Dir = env, empty
			out, err := cmd.CombinedOutput()
			if got := strings.Fields(string(out)); err != nil || strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("bash, %q: got %q (%v), want %q", tt.words, out, err, tt.want)
			}
		})
	}
	if _, err := exec.LookPath("zsh"); err == nil {
		zsh, _, _ := wsreplay(t, "completion", "zsh")
		cmd := exec.Command("zsh", "-n", "-c", zsh)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("zsh -n: %v\n%s", err, out)
		}
	}
	if _, err := exec.LookPath("fish"); err == nil {
		fish, _, _ := wsreplay(t, "completion", "fish")
		cmd := exec.Command("fish", "-c", fish+"\ncomplete -C 'wsreplay se'")
		cmd.Env, cmd.Dir = env, empty
		if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "serve\treplay recorded sessions") {
			t.Errorf("fish: %v\n%s", err, out)
		}
	}
}
