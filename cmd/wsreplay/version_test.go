package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/internal/child"
)

// --version names the build: a release's version and commit, a go install
// module@version's version (and the commit of a pseudo-version), else dev
// with the checkout's commit when the go command stamped one.
func TestDescribeBuild(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}
	modified := []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}
	installed := func(v string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/wsreplay/wsreplay", Version: v, Sum: "h1:abc="}}
	}
	for _, tt := range []struct {
		name                 string
		relVersion, relCommt string
		info                 *debug.BuildInfo
		want                 string
	}{
		{"release", "v1.2.3", rev, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "v1.2.3 (commit 0123456789ab)"},
		{"release without a commit", "v1.2.3", "", &debug.BuildInfo{Settings: vcs}, "v1.2.3 (commit 0123456789ab)"},
		{"release of nothing known", "v1.2.3", "", nil, "v1.2.3"},
		{"go install @tag", "", "", installed("v1.2.3"), "v1.2.3"},
		{"go install @commit", "", "", installed("v0.0.0-20261207174700-776b531abcde"), "v0.0.0-20261207174700-776b531abcde (commit 776b531abcde)"},
		{"go install @commit after a tag", "", "", installed("v1.2.4-0.20261207174700-776b531abcde"), "v1.2.4-0.20261207174700-776b531abcde (commit 776b531abcde)"},
		{"go build in a checkout", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261207174700-0123456789ab+dirty"}, Settings: vcs}, "dev (commit 0123456789ab)"},
		{"go build with changes", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: modified}, "dev (commit 0123456789ab+modified)"},
		{"go build, no VCS", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"no build info", "", "", nil, "dev"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeBuild(tt.relVersion, tt.relCommt, tt.info); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The release command (deploy/release.sh) makes a static, stripped binary
// that names its version and commit, listed in SHA256SUMS with its hash.
// Built for this machine's platform only (.ci/run runs it for them all).
func TestReleaseBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout:", err)
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", "../../deploy/release.sh", out)
	cmd.Env = append(os.Environ(), "PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH, "VERSION=v9.8.7-test", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("deploy/release.sh: %v\n%s", err, b)
	}
	name := "wsreplay-v9.8.7-test-" + runtime.GOOS + "-" + runtime.GOARCH
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(out, name)
	got, err := exec.Command(bin, "--version").Output()
	if want := "wsreplay version v9.8.7-test (commit " + string(head[:12]) + ")\n"; err != nil || string(got) != want {
		t.Errorf("--version: %q (%v), want %q", got, err, want)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	sums, _ := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != want {
		t.Errorf("SHA256SUMS holds %q, want %q", sums, want)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" && s.Value != "0" || s.Key == "-trimpath" && s.Value != "true" {
			t.Errorf("built with %s=%s", s.Key, s.Value)
		}
	}
	if f, err := elf.Open(bin); err == nil { // Linux and the BSDs
		defer f.Close()
		if f.Section(".symtab") != nil || f.Section(".debug_info") != nil {
			t.Error("the binary has a symbol table or DWARF: not stripped")
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the binary names a dynamic loader: not static")
			}
		}
	}
}

// A plain go build says dev, and the checkout's commit if the go command
// stamped it (it does not in a git worktree, nor with -buildvcs=false).
func TestPlainBuildVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds wsreplay")
	}
	bin := child.Build(t, wsreplayPkg)
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := "wsreplay version dev\n"
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			want = "wsreplay version dev (commit " + s.Value[:12]
		}
	}
	got, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(got), want) {
		t.Errorf("--version: %q (%v), want %q...", got, err, want)
	}
}
