package sessionid

import "testing"

func TestNamer(t *testing.T) {
	t.Parallel()

	var n Namer
	steps := []struct {
		source  int
		id      string
		want    string
		renamed bool
	}{
		{0, "a", "a", false},
		{0, "b", "b", false},
		{0, "a", "a", false}, // same source, same session
		{1, "a", "a~2", true},
		{1, "a", "a~2", true},
		{2, "a", "a~3", true},
		{2, "c", "c", false},
		{3, "a~2", "a~2~2", true}, // a real id that a rename took first
		{4, "b", "b~2", true},
	}
	for _, s := range steps {
		got, renamed := n.Name(s.source, s.id)
		if got != s.want || renamed != s.renamed {
			t.Errorf("Name(%d, %q) = %q, %v; want %q, %v", s.source, s.id, got, renamed, s.want, s.renamed)
		}
	}
}
