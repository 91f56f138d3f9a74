package s3store

import (
	"fmt"
	"net/url"
	"strings"
)

// Location is a bucket and a key prefix, or a whole key, as an s3:// URL
// names them.
type Location struct {
	Bucket string
	// Key is what follows the bucket, without its leading slash: a
	// prefix ("recordings/staging") or a key. "" is the whole bucket.
	Key string
}

// IsURL reports whether s is an s3:// URL (and not a file name).
func IsURL(s string) bool { return strings.HasPrefix(s, "s3://") }

// ParseURL reads s3://BUCKET[/KEY].
func ParseURL(s string) (Location, error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return Location{}, fmt.Errorf("%q is not an s3:// URL", s)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("%q has no bucket (s3://BUCKET/PREFIX)", s)
	}
	if strings.ContainsAny(bucket, "?#%") || strings.ContainsAny(key, "?#") {
		return Location{}, fmt.Errorf("%q: an s3:// URL is s3://BUCKET/PREFIX, without a query or fragment", s)
	}
	return Location{Bucket: bucket, Key: key}, nil
}

// String is the s3:// URL of l.
func (l Location) String() string { return "s3://" + l.Bucket + "/" + l.Key }

// Prefix is l.Key as a prefix that ends at a "/" (or "" for the whole
// bucket): s3://b/rec holds rec/..., not records/....
func (l Location) Prefix() string {
	if l.Key == "" || strings.HasSuffix(l.Key, "/") {
		return l.Key
	}
	return l.Key + "/"
}

// Join is the Location of key within l's bucket.
func (l Location) Join(key string) Location { return Location{Bucket: l.Bucket, Key: key} }

// hostIsLocal reports whether an endpoint's host is an IP address or
// localhost: such a store has no DNS name per bucket, so path-style
// addressing is the only one that can work.
func hostIsLocal(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	return isIP(h)
}
