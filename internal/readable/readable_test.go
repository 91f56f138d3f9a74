package readable

import "testing"

func TestURL(t *testing.T) {
	t.Parallel()

	tests := []struct{ in, want string }{
		{"/live?token=%5Bredacted%5D&room=1", "/live?token=[redacted]&room=1"},
		{"/live?key=%5bredacted%5d", "/live?key=[redacted]"},
		{"ws://h/x?a=%5Bredacted%5D&b=%5Bredacted%5D", "ws://h/x?a=[redacted]&b=[redacted]"},
		{"/live?room=1", "/live?room=1"},
		{"/live?q=%5Bother%5D", "/live?q=%5Bother%5D"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := URL(tt.in); got != tt.want {
				t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPreview(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"a\nb\tc", 10, "a␤b␤c"},
		{"héllo wörld", 5, "héllo…"},
		{"✓✓✓✓", 3, "✓✓✓…"},
		{"", 3, ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := Preview([]byte(tt.in), tt.n); got != tt.want {
				t.Errorf("Preview(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestPreviewBytes(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"text", `{"op":"sub"}`, 80, `{"op":"sub"}`},
		{"control bytes in text", "a\x00b", 80, "a␤b"},
		{"binary", "\x00\x01\xfe\xff", 80, "hex 00 01 fe ff"},
		{"binary cut", "\xff\xfe\xfd\xfc\xfb", 6, "hex ff fe …"},
		{"text whose head cuts a rune", "ab✓", 80, "ab✓"},
		{"a head that ends in a cut rune", "ab\xe2\x9c", 80, "ab…"},
		{"empty", "", 80, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := PreviewBytes([]byte(tt.in), tt.n); got != tt.want {
				t.Errorf("PreviewBytes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}
