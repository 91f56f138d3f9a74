// Command centrifuge-server is the server of wsreplay's Centrifuge
// interoperability test (TestProtoCentrifuge): the real
// github.com/centrifugal/centrifuge library, in a Go module of its own so
// that the product's go.mod does not depend on it. It serves the JSON
// client protocol on /connection/websocket of 127.0.0.1 at a free port,
// prints "listening PORT" once it accepts connections, and pings every
// client every second (pong timeout 500 ms).
//
// What it does for proto-centrifuge.mjs: its connect and subscribe replies
// carry data; two publications follow a subscription to "news" 100 ms
// later; the RPC "sum" answers {"sum": a+b} and any other method the
// error "method not found".
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/centrifugal/centrifuge"
)

func main() {
	node, err := centrifuge.New(centrifuge.Config{})
	if err != nil {
		log.Fatal(err)
	}
	node.OnConnecting(func(context.Context, centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		return centrifuge.ConnectReply{
			Credentials: &centrifuge.Credentials{UserID: "e2e"},
			Data:        []byte(`{"motd":"héllo ✓"}`),
		}, nil
	})
	node.OnConnect(func(c *centrifuge.Client) { serveClient(node, c) })
	if err := node.Run(); err != nil {
		log.Fatal(err)
	}
	ws := centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{
		CheckOrigin:    func(*http.Request) bool { return true },
		PingPongConfig: centrifuge.PingPongConfig{PingInterval: time.Second, PongTimeout: 500 * time.Millisecond},
	})
	http.Handle("/connection/websocket", ws)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening", ln.Addr().(*net.TCPAddr).Port)
	log.Fatal(http.Serve(ln, nil))
}

// serveClient answers one client's subscriptions and RPCs.
func serveClient(node *centrifuge.Node, c *centrifuge.Client) {
	c.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
		cb(centrifuge.SubscribeReply{Options: centrifuge.SubscribeOptions{Data: []byte(`{"welcome":"` + e.Channel + `"}`)}}, nil)
		if e.Channel == "news" {
			go publishNews(node)
		}
	})
	c.OnUnsubscribe(func(centrifuge.UnsubscribeEvent) {})
	c.OnRPC(func(e centrifuge.RPCEvent, cb centrifuge.RPCCallback) {
		if e.Method != "sum" {
			cb(centrifuge.RPCReply{}, centrifuge.ErrorMethodNotFound)
			return
		}
		var args struct{ A, B int }
		if err := json.Unmarshal(e.Data, &args); err != nil {
			cb(centrifuge.RPCReply{}, centrifuge.ErrorBadRequest)
			return
		}
		cb(centrifuge.RPCReply{Data: fmt.Appendf(nil, `{"sum":%d}`, args.A+args.B)}, nil)
	})
}

// publishNews publishes two items to "news", 100 ms after a subscription.
func publishNews(node *centrifuge.Node) {
	time.Sleep(100 * time.Millisecond)
	for i, title := range []string{"first", "sécond"} {
		data := fmt.Appendf(nil, `{"n":%d,"title":%q}`, i+1, title)
		if _, err := node.Publish("news", data); err != nil {
			log.Print(err)
		}
	}
}
