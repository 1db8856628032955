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
	Source   WhoSource
	Servers  []ServerStats
	Blind    string
	Problems []string
}
