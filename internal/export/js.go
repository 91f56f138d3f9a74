package export

import (
	"bytes"
	"encoding/json"
	"strings"
)

// jsString returns s as a double-quoted JavaScript string literal. JSON
// strings are JavaScript strings; U+2028 and U+2029, which older engines
// take for line ends, come out escaped.
func jsString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// jsQuote returns s as a JavaScript string literal quoted as Prettier
// quotes it: double quotes, or single quotes when s holds more double
// quotes than single ones (JSON text reads better that way).
func jsQuote(s string) string {
	q := jsString(s)
	if strings.Count(s, `"`) <= strings.Count(s, "'") {
		return q
	}
	inner := q[1 : len(q)-1]
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(inner); i++ {
		switch c := inner[i]; {
		case c == '\\' && inner[i+1] == '"':
			b.WriteByte('"')
			i++
		case c == '\\':
			b.WriteString(inner[i : i+2])
			i++
		case c == '\'':
			b.WriteString(`\'`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// messageLiteral writes one message as an object literal on one line: as
// JavaScript (keys bare) or as JSON (keys quoted).
func messageLiteral(m *Message, asJSON bool) string {
	key := func(k string) string {
		if asJSON {
			return `"` + k + `": `
		}
		return k + ": "
	}
	var b strings.Builder
	b.WriteString("{ " + key("at") + ms(m.At))
	b.WriteString(", " + key("dir") + jsString(string(m.Dir)))
	if m.IsText {
		quote := jsQuote
		if asJSON {
			quote = jsString
		}
		b.WriteString(", " + key("text") + quote(m.Text))
	} else {
		b.WriteString(", " + key("binary") + jsString(m.Binary))
	}
	if r := m.Request; r != nil {
		b.WriteString(", " + key("request") + "{ " + key("ids") + pathsLiteral(r.IDs) +
			", " + key("same") + pathsLiteral(r.Same))
		if len(r.Has) > 0 {
			b.WriteString(", " + key("has") + pathsLiteral(r.Has))
		}
		b.WriteString(" }")
	}
	if len(m.Echoes) > 0 {
		b.WriteString(", " + key("echoes") + "[")
		for i, e := range m.Echoes {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("{ " + key("path") + pathJS(e.Path) + ", " + key("request") + itoa(e.Request) +
				", " + key("id") + itoa(e.ID) + " }")
		}
		b.WriteString("]")
	}
	if m.Guessed {
		b.WriteString(", " + key("guessed") + "true")
	}
	b.WriteString(" }")
	return b.String()
}

// pathsLiteral writes a list of paths; a nil one as null.
func pathsLiteral(ps []Path) string {
	var b strings.Builder
	b.WriteString("[")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		if p == nil {
			b.WriteString("null")
		} else {
			b.WriteString(pathJS(p))
		}
	}
	b.WriteString("]")
	return b.String()
}

// messagesArray writes the messages as an array, one a line: as
// JavaScript (with trailing commas, as Prettier writes it) or as JSON.
func messagesArray(msgs []Message, asJSON bool) string {
	if len(msgs) == 0 {
		return "[]"
	}
	var b strings.Builder
	b.WriteString("[\n")
	for i := range msgs {
		b.WriteString("  ")
		b.WriteString(messageLiteral(&msgs[i], asJSON))
		if !asJSON || i < len(msgs)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]")
	return b.String()
}

// endingLiteral writes the ending, or null.
func endingLiteral(e *Ending) string {
	if e == nil {
		return "null"
	}
	return "{ at: " + ms(e.At) + ", code: " + itoa(e.Code) + ", reason: " + jsString(e.Reason) +
		", clean: " + map[bool]string{true: "true", false: "false"}[e.Clean] + " }"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// commentLines prefixes each line of text with "// ".
func commentLines(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if l == "" {
			b.WriteString("//\n")
			continue
		}
		b.WriteString("// ")
		b.WriteString(l)
		b.WriteString("\n")
	}
	return b.String()
}
