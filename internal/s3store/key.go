package s3store

import (
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
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

// Key is the object key, under prefix (empty, or ending in "/"), of the
// session file named name that started at start.
func Key(prefix string, start time.Time, name string) string {
	return prefix + start.UTC().Format(hourLayout) + name
}

// startOf reads the start time a session file's name begins with.
func startOf(name string) (time.Time, bool) { return format.FileNameTime(name) }

// baseName is the last part of a key.
func baseName(key string) string { return key[strings.LastIndexByte(key, '/')+1:] }

// IsRecordingKey reports whether a key found under a prefix is read as a
// recording: a wsreplay NDJSON object (an unfinished .partial one too) or a
// HAR file. Hidden names (the recorder's probes) are not.
func IsRecordingKey(key string) bool {
	name := baseName(key)
	return format.IsRecordingName(name) || !strings.HasPrefix(name, ".") && strings.HasSuffix(strings.ToLower(name), ".har")
}

// partialSuffix marks the object of a session still running when it was
// uploaded, as the directory sink names a running session's file.
const partialSuffix = format.PartialSuffix

// partialKeys are the keys a .partial object of the session whose finished
// file has key k may have: k's own name plus .partial, and the plain
// X.ndjson.partial of an earlier release's spool, whose leftovers the
// directory sink compresses when it finishes them.
func partialKeys(k string) []string {
	keys := []string{k + partialSuffix}
	if ext, ok := format.FinishedExt(k); ok && ext != ".ndjson" {
		keys = append(keys, strings.TrimSuffix(k, ext)+".ndjson"+partialSuffix)
	}
	return keys
}
