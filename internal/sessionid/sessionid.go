// Package sessionid keeps session ids unique when several recordings are
// read together (serve a.ndjson b.har, convert a.ndjson b.har out.ndjson):
// two recordings may hold the same id, for example a recording and its
// conversion to HAR.
package sessionid

import "strconv"

// Namer names the sessions of several sources uniquely. The first source to
// hold an id keeps it; a later source's session with the same id is listed
// as id~2 (then id~3, ...), the first such name no source has used. Within
// one source an id always gets the same name. The zero value is ready to
// use; a Namer is not safe for concurrent use.
type Namer struct {
	names map[key]string  // (source, id) -> name given
	used  map[string]bool // names given
}

type key struct {
	source int
	id     string
}

// Name returns the name of session id in source (sources are numbered by
// the caller, each its own number), and whether it differs from id.
func (n *Namer) Name(source int, id string) (name string, renamed bool) {
	if n.names == nil {
		n.names, n.used = map[key]string{}, map[string]bool{}
	}
	k := key{source, id}
	if name, ok := n.names[k]; ok {
		return name, name != id
	}
	name = id
	for i := 2; n.used[name]; i++ {
		name = id + "~" + strconv.Itoa(i)
	}
	n.names[k] = name
	n.used[name] = true
	return name, name != id
}
