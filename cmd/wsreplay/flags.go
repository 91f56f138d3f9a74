package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
	"github.com/wsreplay/wsreplay/replayer"
)

// durationFlag reads a duration flag given as a string, so that a bad value
// gets our own one-line error naming the flag.
func durationFlag(c *cli.Context, name string) (time.Duration, error) {
	s := c.String(name)
	if s == "" {
		return 0, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return 0, usagef("--%s: %v", name, err)
	}
	return d, nil
}

// parseDuration accepts Go durations (90s, 2m, 1h30m, 250ms) and plain
// numbers of seconds.
func parseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && !math.IsInf(f, 0) && f < 1e9 {
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (like 90s, 2m, 1h30m or 250ms)", s)
	}
	return d, nil
}

// parseProtocol checks --protocol: a built-in profile's name, or none.
func parseProtocol(s string) (string, error) {
	names := protocol.Default().Names()
	if s == "" || s == protocol.NoProtocol || slices.Contains(names, s) {
		return s, nil
	}
	return "", usagef("--protocol: %q is no protocol wsreplay knows (%s, or %s)", s, strings.Join(names, ", "), protocol.NoProtocol)
}

// parseSpeed reads --speed: a factor from replayer.MinSpeed to
// replayer.MaxSpeed, or 0 or "max" for no waiting.
func parseSpeed(s string) (float64, error) {
	if s == "" {
		return 1, nil
	}
	if s == "max" || s == "0" {
		return math.Inf(1), nil
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
	// Beyond the bounds a replay's schedule overflows (1e-20 would send
	// the whole session at once).
	if err != nil || !(f >= replayer.MinSpeed && f <= replayer.MaxSpeed) {
		return 0, usagef("--speed: %q is not a number from %g to %g, 0 or max", s, replayer.MinSpeed, replayer.MaxSpeed)
	}
	return f, nil
}

// parseCloseSpec reads --close-at D[:CODE[:REASON]].
func parseCloseSpec(s string) (d time.Duration, code int, reason string, err error) {
	parts := strings.SplitN(s, ":", 3)
	d, err = parseDuration(parts[0])
	if err != nil {
		return 0, 0, "", usagef("--close-at: %v", err)
	}
	code = 1000
	if len(parts) > 1 {
		code, err = strconv.Atoi(parts[1])
		if err != nil || !format.WireCode(code) {
			return 0, 0, "", usagef("--close-at: %q is not a close code that can be sent (1000-1003, 1007-1014, 3000-4999)", parts[1])
		}
	}
	if len(parts) > 2 {
		reason = parts[2]
		if len(reason) > 123 {
			return 0, 0, "", usagef("--close-at: the reason is %d bytes; a close frame holds 123", len(reason))
		}
	}
	return d, code, reason, nil
}

// wholeValues collects a repeatable flag's values as given, one a flag
// (--heartbeat's PING:PONG, --fault's rules): a StringSliceFlag would
// split them at commas and trim their spaces, and no JSON with a comma, nor STOMP's newline, could be given.
// The environment variable holds one, whole.
type wholeValues []string

func (h *wholeValues) Set(s string) error {
	*h = append(*h, s)
	return nil
}

// Get returns the values given, for flag.Getter.
func (h *wholeValues) Get() any { return []string(*h) }

func (h *wholeValues) String() string {
	if h == nil {
		return ""
	}
	return strings.Join(*h, " ")
}

// heartbeats returns the heartbeats the --heartbeat flags give.
func heartbeats(c *cli.Context) ([]replayer.Heartbeat, error) {
	vals, _ := c.Generic("heartbeat").(*wholeValues)
	if vals == nil {
		return nil, nil
	}
	var hbs []replayer.Heartbeat
	for _, v := range *vals {
		ping, pong, err := parseHeartbeat(v)
		if err != nil {
			return nil, err
		}
		hbs = append(hbs, replayer.Heartbeat{Ping: ping, Pong: pong})
	}
	return hbs, nil
}

// parseHeartbeat splits PING:PONG at a colon. Heartbeats are often JSON,
// full of colons: the colon that leaves valid JSON on both sides wins,
// else the only one that leaves on each side valid JSON or text without
// a colon. A side that is valid JSON is taken as it is, to the byte; other
// text takes Go's escapes (\n, \t, \\, \x3a, \u00e9), so that a newline, a
// colon or any byte can be given.
func parseHeartbeat(s string) (ping, pong string, err error) {
	usage := func() error {
		return usagef("--heartbeat: %q is not PING:PONG (for example ping:pong, '{\"type\":\"ping\"}:{\"type\":\"pong\"}' or '\\n:\\n')", s)
	}
	side := func(t string) bool { return json.Valid([]byte(t)) || t != "" && !strings.Contains(t, ":") }
	cut := -1
	for i := range len(s) {
		if s[i] != ':' {
			continue
		}
		if json.Valid([]byte(s[:i])) && json.Valid([]byte(s[i+1:])) {
			cut = i
			break
		}
		if side(s[:i]) && side(s[i+1:]) {
			if cut >= 0 {
				return "", "", usage() // two ways to read it
			}
			cut = i
		}
	}
	if cut < 0 {
		return "", "", usage()
	}
	if ping, err = unescapeText(s[:cut]); err == nil {
		pong, err = unescapeText(s[cut+1:])
	}
	if err != nil {
		return "", "", usagef("--heartbeat: %v in %q", err, s)
	}
	if ping == "" || pong == "" {
		return "", "", usage()
	}
	return ping, pong, nil
}

// unescapeText returns s with Go's escapes decoded (strconv.UnquoteChar),
// or s itself if it is valid JSON.
func unescapeText(s string) (string, error) {
	if json.Valid([]byte(s)) || !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for rest := s; rest != ""; {
		if rest[0] != '\\' {
			b.WriteByte(rest[0]) // bytes as they are: not necessarily UTF-8
			rest = rest[1:]
			continue
		}
		r, multibyte, tail, err := strconv.UnquoteChar(rest, '"')
		if err != nil {
			n := min(len(rest), 2)
			return "", fmt.Errorf("%q is not an escape (\\n, \\t, \\\\, \\xHH, \\uHHHH)", rest[:n])
		}
		if multibyte {
			b.WriteRune(r) // \u and \U
		} else {
			b.WriteByte(byte(r)) // \xHH and \OOO are bytes, as in Go
		}
		rest = tail
	}
	return b.String(), nil
}

// listen opens a TCP listener, with a hint when the port is taken.
func listen(addr string) (net.Listener, error) { return listenFlag("listen", addr) }

// listenFlag listens on addr, the value of --flag, with errors that name it.
func listenFlag(flag, addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, usagef("--%s: %q is not HOST:PORT (like 127.0.0.1:8765, or 127.0.0.1:0 for a free port)", flag, addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if strings.Contains(err.Error(), "address already in use") {
			return nil, hinted{fmt.Errorf("--%s: listen on %s: address already in use", flag, addr), "use --" + flag + " with another port, or 127.0.0.1:0 for a free one"}
		}
		return nil, fmt.Errorf("--%s: listen on %s: %v", flag, addr, err)
	}
	return l, nil
}

// clientAddr is the address to print for a listener: one a client on this
// machine can connect to. A listener on every interface (0.0.0.0, [::])
// is shown as 127.0.0.1 with its port; note says how it is reached from
// elsewhere.
func clientAddr(addr net.Addr) (hostPort, note string) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String(), ""
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port)), " (on every interface: from other machines, use this machine's name or address)"
}

// isLoopback reports whether a listener only takes local connections.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// pollOptions reads --poll (paths, or prefixes ending in "*") and
// --poll-idle, which record and serve share.
func pollOptions(c *cli.Context) ([]string, time.Duration, error) {
	paths := c.StringSlice("poll")
	for _, p := range paths {
		if !strings.HasPrefix(p, "/") || strings.Contains(strings.TrimSuffix(p, "*"), "*") {
			return nil, 0, usagef("--poll: %q is not a path (/poll) or a prefix ending in * (/api/poll*)", p)
		}
	}
	idle, err := durationFlag(c, "poll-idle")
	if err != nil {
		return nil, 0, err
	}
	if idle <= 0 {
		return nil, 0, usagef("--poll-idle: want a duration above zero")
	}
	return paths, idle, nil
}
