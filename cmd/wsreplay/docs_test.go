package main

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wsreplay/wsreplay/internal/metrics"
)

// The README's Go version is go.mod's (an older one would try to download a
// toolchain, which fails offline), and the license is there and named.
func TestReadmeAgrees(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	if want := "Go " + string(m[1]) + " or later"; !strings.Contains(string(readme), want) {
		t.Errorf("README does not say %q, as go.mod does", want)
	}
	if other := regexp.MustCompile(`Go \d+\.\d+(\.\d+)? or later`).FindAllString(string(readme), -1); len(other) != 1 {
		t.Errorf("README names Go versions %q; want one", other)
	}
	license, err := os.ReadFile("../../LICENSE")
	if err != nil || !strings.HasPrefix(string(license), "MIT License") || !strings.Contains(string(license), "The wsreplay authors") {
		t.Errorf("LICENSE: %v", err)
	}
	if !strings.Contains(string(readme), "MIT: see [LICENSE](LICENSE)") {
		t.Error("README does not name the license")
	}
}

// The staging documentation names only what exists: every WSREPLAY_*
// variable in the README, the docs pages, the Containerfile and the deploy
// examples is a flag's of record or serve, every --flag on their command
// lines is record's, and docs/staging.md lists every exported metric under
// its exported name, and no other.
func TestStagingDocsAgree(t *testing.T) {
	vars, flags := map[string]bool{}, map[string]bool{}
	for _, cmd := range newApp(io.Discard, io.Discard).Commands {
		for _, f := range cmd.Flags {
			if cmd.Name == "record" || cmd.Name == "serve" {
				vars[envName(f.Names()[0])] = true
			}
			if cmd.Name == "record" {
				flags[f.Names()[0]] = true
			}
		}
	}
	envRE := regexp.MustCompile(`WSREPLAY_[A-Z][A-Z_]*`)
	// Command lines: the Containerfile's CMD and the sidecar's args.
	flagRE := regexp.MustCompile(`"--([a-z-]+)"|, --([a-z-]+),`)
	files := append(docFiles(t), "Containerfile", "deploy/compose.yaml", "deploy/kubernetes/sidecar.yaml")
	for _, file := range files {
		b, err := os.ReadFile("../../" + file)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range envRE.FindAllString(string(b), -1) {
			// WSREPLAY_LISTN: the docs' example of a misspelt variable.
			if !vars[v] && v != "WSREPLAY_CPUPROFILE" && v != "WSREPLAY_LISTN" {
				t.Errorf("%s names %s, which is no flag's variable", file, v)
			}
		}
		if strings.HasSuffix(file, ".md") {
			continue // their flags are TestDocsExamplesParse's
		}
		given := flagRE.FindAllStringSubmatch(string(b), -1)
		for _, m := range given {
			if f := m[1] + m[2]; !flags[f] {
				t.Errorf("%s gives record --%s, which is no flag of record", file, f)
			}
		}
		if len(given) == 0 && file != "deploy/compose.yaml" {
			t.Errorf("%s: found no command line to check", file)
		}
	}

	staging, err := os.ReadFile("../../docs/staging.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, name := range regexp.MustCompile("`(wsreplay_[a-z_]+)`").FindAllStringSubmatch(string(staging), -1) {
		documented[name[1]] = true
	}
	exported := map[string]bool{}
	descs := make(chan *prometheus.Desc, 100)
	metrics.Recorder{}.Describe(descs)
	metrics.Replayer{}.Describe(descs)
	close(descs)
	nameRE := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range descs {
		name := nameRE.FindStringSubmatch(d.String())[1]
		exported[name] = true
		if !documented[name] {
			t.Errorf("docs/staging.md does not list the metric %s", name)
		}
	}
	for name := range documented {
		if !exported[name] {
			t.Errorf("docs/staging.md lists %s, which is no exported metric", name)
		}
	}
}
