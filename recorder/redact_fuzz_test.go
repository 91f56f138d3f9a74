package recorder

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRedactPlacements hides a marked password in the placements apps use
// (JSON, Socket.IO's prefix and array, double encoding, SockJS-style string
// arrays) around fuzzed content: the mark must never come out.
func FuzzRedactPlacements(f *testing.F) {
	f.Add("42", "user", "ana", []byte("hunter2"), uint8(0))
	f.Add("42/chat,7", "n", "1", []byte{0xff, 0}, uint8(1))
	f.Add("", "data", `{"x":[1]}`, []byte("s"), uint8(2))
	f.Add("a", "k", "v\"\\", []byte("z"), uint8(3))
	f.Fuzz(func(t *testing.T, prefix, key, val string, pw []byte, shape uint8) {
		mark := "Zq9" + hex.EncodeToString(pw) + "9qZ"
		if strings.ContainsAny(prefix, "{[\"") || strings.Contains(prefix+key+val, "Zq9") {
			t.Skip()
		}
		obj, _ := json.Marshal(map[string]any{"password": mark, key: val})
		var msg []byte
		switch shape % 4 {
		case 0:
			msg = obj
		case 1:
			msg = []byte(prefix + `["login",` + string(obj) + `]`)
		case 2:
			inner, _ := json.Marshal(string(obj))
			msg = []byte(`{"command":"message","data":` + string(inner) + `}`)
		case 3:
			inner, _ := json.Marshal(prefix + `["login",` + string(obj) + `]`)
			msg = []byte(`a[` + string(inner) + `]`)
		}
		r := Redaction{JSONFields: []string{"password"}}
		out, unparsed := r.Message(msg)
		if unparsed || bytes.Contains(out, []byte(mark)) {
			t.Fatalf("message(%s) = %s (unparsed %v): the password is still there", msg, out, unparsed)
		}
	})
}

// FuzzRedactAnything holds redaction of any text to its promises: a text
// that names no field is untouched, one that cannot be parsed is returned
// whole, and JSON stays JSON.
func FuzzRedactAnything(f *testing.F) {
	f.Add([]byte(`{"password":"x"}`))
	f.Add([]byte(`42["a",{"Password":1}]`))
	f.Add([]byte(`{"d":"{\"password\":[1,{}]}"}`))
	f.Add([]byte(`password`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		r := Redaction{JSONFields: []string{"password"}}
		out, unparsed := r.Message(msg)
		if !bytes.Contains(bytes.ToLower(msg), []byte("password")) && !bytes.Equal(out, msg) {
			t.Fatalf("message(%q) changed a text without the field: %q", msg, out)
		}
		if unparsed && !bytes.Equal(out, msg) {
			t.Fatalf("message(%q) half redacted an unparsable text: %q", msg, out)
		}
		if json.Valid(msg) && !json.Valid(out) {
			t.Fatalf("message(%q) = %q, not JSON any more", msg, out)
		}
	})
}
