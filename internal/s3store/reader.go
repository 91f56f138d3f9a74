package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Object is an object being read: an io.ReadSeekCloser over ranged GETs.
// A read streams one GET's body from the current offset to the end, so
// memory does not grow with the object; a Seek closes it and the next Read
// asks for the range from the new offset (a replay that starts at a
// session in the middle of a plain recording skips the bytes before it
// without downloading them). A body that breaks off is asked for again
// from where it stopped, a few times.
//
// An Object is not safe for concurrent use. Close releases its body.
type Object struct {
	c    *Client
	ctx  context.Context
	loc  Location
	size int64
	off  int64
	body io.ReadCloser
	// resumes counts the bodies asked for again after breaking off.
	resumes int
}

// maxResumes bounds how many times a broken body is asked for again.
const maxResumes = 5

// Open starts reading the object at loc. It makes the first request now,
// so that a missing object or bucket, or refused credentials, is an error
// here (see Explain); ctx bounds the reading.
func (c *Client) Open(ctx context.Context, loc Location) (*Object, error) {
	o := &Object{c: c, ctx: ctx, loc: loc, size: -1}
	if err := o.get(); err != nil {
		return nil, err
	}
	return o, nil
}

// Size is the object's size in bytes.
func (o *Object) Size() int64 { return o.size }

// get asks for the object from o.off to its end.
func (o *Object) get() error {
	in := &s3.GetObjectInput{Bucket: aws.String(o.loc.Bucket), Key: aws.String(o.loc.Key)}
	if o.off > 0 {
		in.Range = aws.String("bytes=" + strconv.FormatInt(o.off, 10) + "-")
	}
	out, err := o.c.s3.GetObject(o.ctx, in)
	if err != nil {
		return Explain(o.loc.String(), err)
	}
	if o.size < 0 {
		o.size = aws.ToInt64(out.ContentLength) + o.off
	}
	o.body = out.Body
	return nil
}

// Read reads from the current offset.
func (o *Object) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if o.off >= o.size && o.size >= 0 {
		return 0, io.EOF
	}
	if o.body == nil {
		if err := o.get(); err != nil {
			return 0, err
		}
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF) && o.off >= o.size:
		return n, io.EOF
	case o.ctx.Err() != nil:
		return n, o.ctx.Err()
	}
	// The body broke off (or ended early): ask again from here.
	o.body.Close()
	o.body = nil
	if o.resumes++; o.resumes > maxResumes {
		return n, fmt.Errorf("%s: reading broke off at byte %d: %w", o.loc, o.off, err)
	}
	return n, nil
}

// Seek moves the offset of the next Read. Only io.SeekStart and
// io.SeekCurrent are needed by the readers of recordings; io.SeekEnd works
// too, the size being known from the first GET.
func (o *Object) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += o.off
	case io.SeekEnd:
		offset += o.size
	}
	if offset < 0 {
		return 0, fmt.Errorf("%s: seek to a negative offset", o.loc)
	}
	if offset != o.off && o.body != nil {
		o.body.Close()
		o.body = nil
	}
	o.off = offset
	return offset, nil
}

// Close releases the body being read.
func (o *Object) Close() error {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
	return nil
}
