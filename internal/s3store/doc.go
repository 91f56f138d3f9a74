// Package s3store keeps recordings in S3-compatible object storage: the
// shared store of "wsreplay record --out s3://BUCKET/PREFIX", and what ls,
// cat, convert and serve read when given an s3:// URL.
//
// Entry points:
//
//   - url.go: ParseURL reads s3://BUCKET/PREFIX[/KEY] into a Location.
//   - client.go: New makes a Client from the AWS configuration (environment,
//     shared config and credentials files, profiles, SSO, web identity, as
//     the AWS CLI takes them: config.LoadDefaultConfig) and Options
//     (--s3-endpoint, path-style addressing); it counts its requests.
//     Client.CheckWritable probes a destination.
//   - errors.go: Explain words an S3 error in one line (no such bucket,
//     credentials refused, endpoint unreachable).
//   - key.go: Key, the object key of a session file: PREFIX/YYYY/MM/DD/HH/
//     <start>_<id>.ndjson.zst, so keys sort by time.
//   - meta.go: a session's summary as object metadata (x-amz-meta-wsreplay-*),
//     so listing needs no download.
//   - reader.go: Client.Open, an object as an io.ReadSeekCloser over ranged
//     GETs: memory does not grow with the object.
//   - list.go: Client.List, Client.Resolve and Client.Summaries: the
//     recordings under a prefix, with their summaries, in key (time) order.
//   - uploader.go, upload.go, spool.go: Uploader, which ships a recorder's
//     spool directory (written by recorder.NewDirSink) to the bucket: its
//     passes and retries, one upload, the spool as it reads it;
//     PrepareSpool marks a directory as one destination's spool. stats.go:
//     its running totals.
//   - index.go: the hour indexes an Uploader writes (PREFIX/_index/...), and
//     IndexReader, which answers a listing's summaries from them.
//
// Nothing here signs requests by hand: the AWS SDK for Go v2 does.
package s3store
