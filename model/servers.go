package model

import "time"

// ServerStats is one NATS server as the servers view lists it. Strings
// come from the server and are untrusted.
type ServerStats struct {
	Name, Version, Cluster string
	JetStream              bool
	// Connected marks the server natsx is connected to.
	Connected bool
	// Known is false where only the connection's greeting was available
	// (no system account): the numbers below are then unknown.
	Known         bool
	Start         time.Time
	Conns, Subs   int
	Routes, Leafs int
	SlowConsumers int64
	Mem           int64   // resident bytes
	CPU           float64 // percent of one core
	Cores         int
	// RTT is how long the server took to answer natsx (through natsx's
	// server and its route for the others); 0 when unknown.
	RTT time.Duration
}

// ServersReport is what the servers view shows: the servers natsx could
// ask about, the connected one first, with what it could not see.
type ServersReport struct {
	Source  WhoSource
	Servers []ServerStats
	// Links are the servers' routes, gateways and leafnodes (embedded or
	// with the system account), by server then kind and peer.
	Links    []ServerLink
	Blind    string
	Problems []string
}

// ServerLink is one route, gateway or leafnode connection of a server, as
// the servers view lists it under the table. Strings come from the server
// and are untrusted.
type ServerLink struct {
	// Server is the server the link belongs to; Kind is route, gateway
	// (out or in) or leafnode; Peer names the other end.
	Server, Kind, Peer string
	// Conns counts the connections the link has (a route is pooled: a few
	// connections a peer, their messages summed).
	Conns int
	// RTT is the server's own measure, the slowest of the link's
	// connections (0 when it has none).
	RTT             time.Duration
	InMsgs, OutMsgs int64
}
