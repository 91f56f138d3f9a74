package s3store_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The SDK's HTTP transport keeps idle connections, whose goroutines
// outlive a test by design.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}
