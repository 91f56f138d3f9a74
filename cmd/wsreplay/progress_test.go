package main

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// Progress is drawn on a terminal only: never on a pipe, a file or a
// buffer, nor under CI.
func TestProgressOnlyOnATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(t.TempDir() + "/stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, out := range map[string]io.Writer{"pipe": w, "file": f, "buffer": &bytes.Buffer{}} {
		t.Run(name, func(t *testing.T) {
			if showsProgress(out) {
				t.Errorf("progress shown on a %s", name)
			}
		})
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		t.Setenv("CI", "true")
		if showsProgress(tty) {
			t.Error("progress shown under CI")
		}
	}
	// A nil progress is what commands get off a terminal: it does nothing.
	var p *progress
	p.add(1)
	p.clear()
	p.finish()
	if p.reader(r) != r || p.writer(w) != w || p.clearing(w) != w {
		t.Error("a nil progress wraps readers or writers")
	}
}
