// Package demo holds the built-in demo recording that "wsreplay serve"
// plays when it is given no file. It is the same file as
// testdata/demo.ndjson; both are written by "go run ./internal/demo/gen".
package demo

import _ "embed"

// Recording is the demo recording, plain wsreplay NDJSON.
//
//go:embed demo.ndjson
var Recording []byte

// Name is how the demo recording is named in logs and errors.
const Name = "built-in demo"
