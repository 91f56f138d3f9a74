package s3store

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Options says how to reach the store. The zero value reaches AWS S3 with
// the region and credentials of the AWS configuration.
type Options struct {
	// Endpoint is the store's URL (http://127.0.0.1:7070,
	// https://minio.example). Empty: AWS_ENDPOINT_URL_S3 or
	// AWS_ENDPOINT_URL if set, else AWS S3.
	Endpoint string
	// PathStyle addresses buckets as http://host/BUCKET/KEY instead of
	// http://BUCKET.host/KEY. Path style is also used, whatever this
	// says, for an endpoint that is an IP address or localhost.
	PathStyle bool
	// MaxAttempts bounds the SDK's attempts of one request (with its
	// backoff between them). Zero: the SDK's default, 3.
	MaxAttempts int
}

// Client is an S3 client that counts the requests it makes. It is safe
// for concurrent use.
type Client struct {
	s3       *s3.Client
	endpoint string // as configured, "" for AWS
	http     aws.HTTPClient
	requests atomic.Int64
}

// New loads the AWS configuration as the AWS CLI does: credentials and
// region from the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE,
// AWS_REGION, ...), the shared config and credentials files and their
// profiles (SSO, assume-role, web identity), then the instance's role. A
// region that none of them gives is us-east-1, which S3-compatible stores
// accept.
func New(ctx context.Context, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &Client{}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	c.endpoint = o.Endpoint
	if c.endpoint == "" {
		c.endpoint = os.Getenv("AWS_ENDPOINT_URL_S3")
	}
	if c.endpoint == "" && cfg.BaseEndpoint != nil {
		c.endpoint = *cfg.BaseEndpoint
	}
	pathStyle := o.PathStyle || hostIsLocal(c.endpoint)
	c.s3 = s3.NewFromConfig(cfg, func(so *s3.Options) {
		if c.endpoint != "" {
			so.BaseEndpoint = aws.String(c.endpoint)
		}
		so.UsePathStyle = pathStyle
		c.http = httpClient(cfg.HTTPClient)
		so.HTTPClient = countingClient{c.http, &c.requests}
		if o.MaxAttempts > 0 {
			so.RetryMaxAttempts = o.MaxAttempts
		}
		// Checksums only where the API requires them: several
		// S3-compatible stores refuse the SDK's newer default
		// (trailing CRC32 checksums in aws-chunked bodies).
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return c, nil
}

// Requests is the number of HTTP requests the Client has made (retries
// included).
func (c *Client) Requests() int64 { return c.requests.Load() }

// Endpoint is the store's URL as configured; "" for AWS S3.
func (c *Client) Endpoint() string { return c.endpoint }

// Close lets go of the client's idle connections.
func (c *Client) Close() {
	if hc, ok := c.http.(interface{ CloseIdleConnections() }); ok {
		hc.CloseIdleConnections()
	}
}

// httpClient is the configuration's client (it may carry a CA bundle of
// the AWS configuration) with a bounded dial: an endpoint that does not
// answer is an error in seconds, not minutes.
func httpClient(base aws.HTTPClient) aws.HTTPClient {
	if b, ok := base.(*awshttp.BuildableClient); ok {
		return b.WithDialerOptions(func(d *net.Dialer) { d.Timeout = 10 * time.Second })
	}
	if base == nil {
		return awshttp.NewBuildableClient().WithDialerOptions(func(d *net.Dialer) { d.Timeout = 10 * time.Second })
	}
	return base
}

// countingClient counts the requests it sends.
type countingClient struct {
	base aws.HTTPClient
	n    *atomic.Int64
}

func (c countingClient) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.Do(r)
}

// CheckWritable writes a small probe object under dest's prefix and
// deletes it: a recorder says at start, not at its first session's end,
// that it cannot write to the bucket.
func (c *Client) CheckWritable(ctx context.Context, dest Location) error {
	var b [8]byte
	cryptorand.Read(b[:])
	key := dest.Prefix() + ".wsreplay-probe-" + hex.EncodeToString(b[:])
	_, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(dest.Bucket), Key: aws.String(key),
		Body: strings.NewReader(""), ContentLength: aws.Int64(0)})
	if err != nil {
		return Explain(dest.String(), err)
	}
	// A store may let us write and not delete (a write-only policy):
	// the probe stays, hidden from listings (its name begins with a dot).
	c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(dest.Bucket), Key: aws.String(key)})
	return nil
}
