package s3store

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// ErrNotFound is what an operation on a key or bucket that does not exist
// returns (wrapped).
var ErrNotFound = errors.New("not found")

// Explain words err, from an S3 operation on what, as one line for a
// person: what went wrong and what to check, without the SDK's request
// ids. An error it does not know is returned with what in front.
func Explain(what string, err error) error {
	return &Error{What: what, Err: err, msg: explain(err)}
}

// Error is an S3 operation's error, worded by Explain.
type Error struct {
	What string // the s3:// URL
	Err  error
	msg  string
}

func (e *Error) Error() string { return e.What + ": " + e.msg }
func (e *Error) Unwrap() error { return e.Err }

func explain(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchBucket":
			return "no such bucket"
		case "NoSuchKey", "NotFound":
			return "no such object"
		case "InvalidAccessKeyId", "XAdminUserNotFound": // the latter: versitygw's word for it
			return "the store does not know this access key (check AWS_ACCESS_KEY_ID, AWS_PROFILE or the credentials file)"
		case "SignatureDoesNotMatch":
			return "the store refused the credentials: the signature does not match (check the secret key)"
		case "AccessDenied", "Forbidden":
			return "access denied (the credentials are not allowed this operation)"
		case "InvalidBucketName":
			return "not a valid bucket name"
		}
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	var netErr *net.OpError
	var maxAttempts *retry.MaxAttemptsError
	switch {
	case errors.As(err, &netErr):
		return "cannot reach the store: " + netErr.Err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "the store did not answer in time"
	case strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "no EC2 IMDS role found"):
		return "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or configure ~/.aws/credentials)"
	case errors.As(err, &maxAttempts):
		return "the store kept failing: " + maxAttempts.Err.Error()
	}
	return err.Error()
}

// IsTransient reports whether err may pass by itself: the store could not
// be reached, did not answer in time, or answered with a 5xx status. A
// missing bucket or refused credentials are not transient: they need a
// person.
func IsTransient(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 { // 0: no response came
		return re.HTTPStatusCode() >= 500
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return false
	}
	var netErr *net.OpError
	return errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

// isNotFound reports whether err says a key or bucket does not exist.
func isNotFound(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		}
	}
	return false
}

func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}
