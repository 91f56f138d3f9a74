// Command wstool is a WebSocket client and backend for tests that run their
// peers as processes of their own (see package child): it makes and checks
// messages of hundreds of MiB without the test process holding them.
//
//	wstool upstream                       a backend: prints "listening on ws://ADDR"; reads and drops messages,
//	                                      or with ?send=KIND:SIZE,... sends those messages and closes with 1000
//	wstool send URL KIND SIZE ...         sends messages, then closes with 1000
//	wstool recv URL COUNT                 prints "OPCODE SIZE BYTE" for COUNT messages, then closes with 1000 (or prints "close CODE")
//	wstool hold URL CONNS SIZE PERCENT    on CONNS connections, sends PERCENT % of a SIZE-byte message; prints "held"; waits for stdin to end
//	wstool flood URL COUNT SIZE           sends COUNT messages; prints "sent"; waits for stdin to end
//	wstool sessions COUNT                 prints a recording of COUNT short sessions, one after another
//
// KIND is ctl (0x01 bytes), quote ("), badutf8 (0xff) or binary (0x00, a
// binary message); BYTE is the byte every payload byte equals, or "mixed".
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: wstool upstream|send|recv|hold|flood ...")
	}
	var err error
	switch args := os.Args[2:]; os.Args[1] {
	case "upstream":
		err = upstream()
	case "send":
		err = send(args)
	case "recv":
		err = recv(args)
	case "hold":
		err = hold(args)
	case "flood":
		err = flood(args)
	case "sessions":
		err = sessions(args)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "wstool:", msg)
	os.Exit(1)
}

func upstream() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening on ws://%s\n", l.Addr())
	return http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		if list := r.URL.Query().Get("send"); list != "" {
			for _, m := range strings.Split(list, ",") {
				kind, size, _ := strings.Cut(m, ":")
				n, err := strconv.Atoi(size)
				if err != nil {
					return
				}
				typ, data, err := payload(kind, n)
				if err != nil || c.Write(context.Background(), typ, data) != nil {
					return
				}
			}
			c.Close(websocket.StatusNormalClosure, "")
			return
		}
		for {
			_, rd, err := c.Reader(context.Background())
			if err != nil {
				return
			}
			io.Copy(io.Discard, rd)
		}
	}))
}

func dial(url string) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(context.Background(), url, nil)
	if err == nil {
		c.SetReadLimit(-1)
	}
	return c, err
}

func payload(kind string, size int) (websocket.MessageType, []byte, error) {
	b := map[string]byte{"ctl": 0x01, "quote": '"', "badutf8": 0xff, "binary": 0x00}
	v, ok := b[kind]
	if !ok {
		return 0, nil, fmt.Errorf("unknown kind %q", kind)
	}
	typ := websocket.MessageText
	if kind == "binary" {
		typ = websocket.MessageBinary
	}
	data := make([]byte, size)
	for i := range data {
		data[i] = v
	}
	return typ, data, nil
}

func send(args []string) error {
	if len(args) < 3 || len(args)%2 != 1 {
		return fmt.Errorf("send URL KIND SIZE ...")
	}
	c, err := dial(args[0])
	if err != nil {
		return err
	}
	defer c.CloseNow()
	for i := 1; i < len(args); i += 2 {
		size, err := strconv.Atoi(args[i+1])
		if err != nil {
			return err
		}
		typ, data, err := payload(args[i], size)
		if err != nil {
			return err
		}
		if err := c.Write(context.Background(), typ, data); err != nil {
			return err
		}
	}
	return c.Close(websocket.StatusNormalClosure, "")
}

func recv(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("recv URL COUNT")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	c, err := dial(args[0])
	if err != nil {
		return err
	}
	defer c.CloseNow()
	for i := 0; ; i++ {
		if i == n {
			return c.Close(websocket.StatusNormalClosure, "")
		}
		typ, data, err := c.Read(context.Background())
		if err != nil {
			fmt.Printf("close %d\n", websocket.CloseStatus(err))
			return nil
		}
		kind := "mixed"
		if len(data) > 0 && strings.Count(string(data), string(data[:1])) == len(data) {
			kind = fmt.Sprintf("%02x", data[0])
		}
		fmt.Printf("%s %d %s\n", typ, len(data), kind)
	}
}

func hold(args []string) error {
	if len(args) != 4 {
		return fmt.Errorf("hold URL CONNS SIZE PERCENT")
	}
	n, err1 := strconv.Atoi(args[1])
	size, err2 := strconv.Atoi(args[2])
	pct, err3 := strconv.Atoi(args[3])
	if err1 != nil || err2 != nil || err3 != nil {
		return fmt.Errorf("hold: bad numbers %v", args[1:])
	}
	chunk := make([]byte, 1<<20)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dial(args[0])
			if err != nil {
				errs <- err
				return
			}
			go c.Read(context.Background()) // answer pings; never returns data here
			w, err := c.Writer(context.Background(), websocket.MessageBinary)
			if err != nil {
				errs <- err
				return
			}
			for left := size / 100 * pct; left > 0; left -= len(chunk) {
				if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Println("held")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

func flood(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("flood URL COUNT SIZE")
	}
	n, err1 := strconv.Atoi(args[1])
	size, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("flood: bad numbers %v", args[1:])
	}
	c, err := dial(args[0])
	if err != nil {
		return err
	}
	defer c.CloseNow()
	go func() { // read what the server sends, so it is never held up
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	data := make([]byte, size)
	for range n {
		if err := c.Write(context.Background(), websocket.MessageBinary, data); err != nil {
			return err
		}
	}
	fmt.Println("sent")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

func sessions(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("sessions COUNT")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	t := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	const layout = "2006-01-02T15:04:05.000000000Z"
	for i := range n {
		id := fmt.Sprintf("%016x", i)
		at := t.Add(time.Duration(i) * time.Millisecond)
		fmt.Fprintf(w, `{"type":"session","v":1,"session":"%s","time":"%s","url":"/live?room=%d","request_headers":{"Origin":["http://localhost:5173"]},"response_headers":{}}`+"\n", id, at.Format(layout), i%100)
		fmt.Fprintf(w, `{"type":"message","session":"%s","time":"%s","dir":"receive","text":"hello %d"}`+"\n", id, at.Add(time.Microsecond).Format(layout), i)
		fmt.Fprintf(w, `{"type":"close","session":"%s","time":"%s","by":"server","code":1000,"clean":true}`+"\n", id, at.Add(2*time.Microsecond).Format(layout))
	}
	return w.Flush()
}
