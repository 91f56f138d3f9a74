package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/protocol"
)

// protocolFlag is --protocol, which record and serve share: the protocol
// every session speaks, in place of the one detected.
func protocolFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "protocol", Usage: usage}
}

// protocolOption reads --protocol: "" (detect), none, or a profile's name.
func protocolOption(c *cli.Context) (string, error) {
	name := c.String("protocol")
	names := protocol.Default().Names()
	if name == "" || name == protocol.NoProtocol || slices.Contains(names, name) {
		return name, nil
	}
	return "", usagef("--protocol: %q is not a protocol wsreplay knows (none, %s)", name, strings.Join(names, ", "))
}
