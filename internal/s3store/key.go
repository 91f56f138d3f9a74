package s3store

import (
	"strings"
	"time"
)

// Object keys sort by time: a session file <start>_<id>.ndjson.zst
// (recorder.FileName) is stored as PREFIX/YYYY/MM/DD/HH/<start>_<id>.ndjson.zst,
// the hour of its start in UTC. A listing is then in start order, a time
// window is a range of keys (ListObjectsV2's StartAfter, and a stop), and
// the hour directories keep a console's or the CLI's listing of a prefix
// short. The key ends with the spool file's own name, so a session's key is
// the same whichever recorder, or which restart of it, uploads it: an upload
// repeated after a crash replaces the object instead of adding a second.

// hourLayout is the part of a key between the prefix and the file name.
const hourLayout = "2006/01/02/15/"

// nameTimeLayout is how a session file's name begins (recorder.FileName).
const nameTimeLayout = "20060102T150405.000Z"

// Key is the object key, under prefix (empty, or ending in "/"), of the
// session file named name that started at start.
func Key(prefix string, start time.Time, name string) string {
	return prefix + start.UTC().Format(hourLayout) + name
}

// startOf reads the start time a session file's name begins with.
func startOf(name string) (time.Time, bool) {
	if len(name) < len(nameTimeLayout)+1 || name[len(nameTimeLayout)] != '_' {
		return time.Time{}, false
	}
	t, err := time.Parse(nameTimeLayout, name[:len(nameTimeLayout)])
	return t, err == nil
}

// baseName is the last part of a key.
func baseName(key string) string { return key[strings.LastIndexByte(key, '/')+1:] }

// recordingSuffixes are the keys read as recordings under a prefix.
var recordingSuffixes = []string{".ndjson", ".ndjson.gz", ".ndjson.zst", ".ndjson.partial", ".ndjson.gz.partial", ".ndjson.zst.partial", ".har"}

// IsRecordingKey reports whether a key found under a prefix is read as a
// recording: a wsreplay NDJSON object (an unfinished .partial one too) or a
// HAR file. Hidden names (the recorder's probes) are not.
func IsRecordingKey(key string) bool {
	name := baseName(key)
	if strings.HasPrefix(name, ".") {
		return false
	}
	lower := strings.ToLower(name)
	for _, s := range recordingSuffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// partialSuffix marks the object of a session still running when it was
// uploaded: the name of its finished file (any compression) plus
// recorder.PartialSuffix, as the directory sink names a running session's
// file. Earlier releases' spools held plain X.ndjson.partial files only.
const partialSuffix = ".partial"

// finishedExts are the names of finished session files, longest first.
var finishedExts = []string{".ndjson.zst", ".ndjson.gz", ".ndjson"}

// partialKeys are the keys a .partial object of the session whose finished
// file has key k may have: k's own name plus .partial, and the plain
// X.ndjson.partial of an earlier release's spool, whose leftovers the
// directory sink compresses when it finishes them.
func partialKeys(k string) []string {
	keys := []string{k + partialSuffix}
	for _, ext := range finishedExts {
		if stem, ok := strings.CutSuffix(k, ext); ok && ext != ".ndjson" {
			keys = append(keys, stem+".ndjson"+partialSuffix)
		}
	}
	return keys
}
