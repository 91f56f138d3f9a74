package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
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
