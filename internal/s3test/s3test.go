// Package s3test runs a real S3-compatible server for tests: Versity's
// versitygw (Apache-2.0), serving a temporary directory on loopback.
//
// Start finds the versitygw binary in PATH or in $(go env GOPATH)/bin. A
// test that needs it is skipped when it is missing, with the command that
// installs it, except under CI (CI set), where that is a failure: CI
// installs it (.ci/run).
package s3test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/wsreplay/wsreplay/internal/s3store"
)

// Install is the command that installs the server the tests use.
const Install = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// Credentials of the test server's root account.
const (
	AccessKey = "wsreplaytest"
	SecretKey = "wsreplay-test-secret-key"
)

// Server is a versitygw process serving a temporary directory.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	Dir      string
	bin      string
	addr     string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// Binary returns the path of versitygw, skipping (or failing, under CI) t
// if it is missing.
func Binary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("versitygw is not installed (CI must have it: %s)", Install)
	}
	t.Skipf("versitygw is not installed, so the S3 tests cannot run: %s", Install)
	return ""
}

// Start runs a server on a free loopback port, stopped by t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{bin: Binary(t), Dir: t.TempDir()}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	l.Close()
	s.Endpoint = "http://" + s.addr
	s.Restart(t)
	t.Cleanup(s.Stop)
	return s
}

// Restart starts the server again after Stop, on the same port and
// directory; it waits until it accepts connections (at most 20 s).
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.cmd = exec.Command(s.bin, "--quiet", "--port", s.addr, "posix", s.Dir)
	s.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+AccessKey, "ROOT_SECRET_KEY="+SecretKey)
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { cmd.Wait(); close(exited) }(s.cmd, s.exited)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-s.exited:
			t.Fatalf("versitygw exited at start: %v", s.cmd.ProcessState)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			t.Fatalf("versitygw did not listen on %s within 20 s", s.addr)
		}
	}
}

// Stop ends the server (SIGTERM, then SIGKILL after 5 s) and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Env is the environment a client of the server needs: its credentials
// and endpoint, and no shared AWS files of the machine's user.
func (s *Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + AccessKey, "AWS_SECRET_ACCESS_KEY=" + SecretKey, "AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL=" + s.Endpoint, "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Setenv sets Env in the test's environment (see testing.T.Setenv).
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Bucket creates a bucket named name, with the environment of Setenv
// (call it first), and returns a client of the server.
func (s *Server) Bucket(t testing.TB, name string) *s3store.Client {
	t.Helper()
	c, err := s3store.New(context.Background(), &s3store.Options{Endpoint: s.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.raw().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return c
}

// Put stores data at key in bucket, as any S3 client would (no summary).
func (s *Server) Put(t testing.TB, bucket, key string, data []byte) {
	t.Helper()
	_, err := s.raw().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
	if err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

// raw is a plain SDK client of the server with the root credentials.
func (s *Server) raw() *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}, nil
		})}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.Endpoint)
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
}

// String names the server in test logs.
func (s *Server) String() string { return fmt.Sprintf("versitygw at %s", s.Endpoint) }
