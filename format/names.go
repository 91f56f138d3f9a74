package format

import (
	"strings"
	"time"
)

// The names of recording files, shared by the recorder's directory mode, its
// S3 spool and keys, and every command that finds recordings in a directory
// or under a prefix.

// FileName is the name of a session's file: its start time (UTC, to the
// millisecond) and id, then the extension of its compression, so a
// directory's names sort by start time: 20261125T100000.000Z_<id>.ndjson.zst.
func FileName(start time.Time, id string, comp Compression) string {
	return start.UTC().Format(fileTimeLayout) + "_" + id + comp.Ext()
}

// fileTimeLayout is how a session file's name begins.
const fileTimeLayout = "20060102T150405.000Z"

// FileNameTime returns the start time a name made by FileName begins with.
func FileNameTime(name string) (time.Time, bool) {
	if len(name) < len(fileTimeLayout)+1 || name[len(fileTimeLayout)] != '_' {
		return time.Time{}, false
	}
	t, err := time.Parse(fileTimeLayout, name[:len(fileTimeLayout)])
	return t, err == nil
}

// PartialSuffix marks the file of a session that has not ended (yet): the
// name of its finished file plus PartialSuffix. Earlier releases wrote
// plain X.ndjson.partial files only; later ones write the finished file's
// compression (X.ndjson.zst.partial).
const PartialSuffix = ".partial"

// finishedExts are the extensions of finished recording files, longest first.
var finishedExts = [...]string{".ndjson.zst", ".ndjson.gz", ".ndjson"}

// FinishedExt returns the extension of a finished recording file's name
// (".ndjson", ".ndjson.gz" or ".ndjson.zst", as Compression.Ext gives them),
// and false for any other name, a .partial one included. Case matters: these
// are the names the recorder writes.
func FinishedExt(name string) (string, bool) {
	for _, ext := range finishedExts {
		if strings.HasSuffix(name, ext) {
			return ext, true
		}
	}
	return "", false
}

// IsRecordingName reports whether a file found in a directory (or a key
// under a prefix) is a wsreplay NDJSON recording by its name: finished or
// .partial, in any case. Hidden names never are: they are temporary files
// being written, the recorder's probes, or not ours.
func IsRecordingName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	lower := strings.ToLower(name)
	_, ok := FinishedExt(strings.TrimSuffix(lower, PartialSuffix))
	return ok
}
