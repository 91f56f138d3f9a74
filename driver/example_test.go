package driver_test

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"os"
	"time"

	"github.com/wsreplay/wsreplay/driver"
	"github.com/wsreplay/wsreplay/format"
)

// A Go test that plays a recorded checkout against the backend under test
// and fails on any difference in its answers.
func Example() {
	f, err := os.Open("testdata/checkout.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r := format.NewReader(f, &format.ReaderOptions{Name: f.Name()})
	defer r.Close()
	scripts, err := driver.LoadScripts(r, f.Name())
	if err != nil {
		log.Fatal(err)
	}
	target, _ := url.Parse("ws://127.0.0.1:3000")
	d := &driver.Driver{Target: target, Timeout: 5 * time.Second}
	for _, s := range scripts {
		res := d.Run(context.Background(), s)
		switch {
		case res.Err != nil:
			log.Fatalf("%s: %v", s.Name, res.Err)
		case !res.Same():
			log.Fatalf("%s: %d changed, %d added, %d removed", s.Name, res.Diff.Changed, res.Diff.Added, res.Diff.Removed)
		}
		fmt.Printf("%s: equal, %d answers\n", s.Name, res.Received)
	}
}
