package model

import "time"

// ConnState is the state of natsx's connection to the broker.
type ConnState int

// Connection states, in the order a connection usually goes through them.
const (
	StateConnecting ConnState = iota
	StateConnected
	StateReconnecting
	StateClosed
)

// String is the label shown in the header.
func (s ConnState) String() string {
	switch s {
	case StateConnected:
		return "connected"
	case StateReconnecting:
		return "reconnecting"
	case StateClosed:
		return "closed"
	default:
		return "connecting"
	}
}

// SourceStatus is what the engine reports about its side, polled by the UI on
// every data tick. It is a value: the UI keeps no pointer into the engine.
type SourceStatus struct {
	// URL is the broker URL with secrets redacted.
	URL string
	// Embedded is true when natsx runs its own broker.
	Embedded bool
	// Context names the natscli context the connection came from (--context
	// or the selected one), "" without one: a name only, never its contents.
	Context string
	// Server and ServerVersion name the server natsx is connected to now
	// (its INFO: untrusted, sanitized by the UI), "" while disconnected.
	Server, ServerVersion string
	// Probe is the word for what "who gets this" may ask (WhoSource: embedded,
	// sys, acct, monitor, none), "?" until the capability probe answered,
	// "" where nothing is asked (a capture).
	Probe string
	// Exposed is true when the embedded broker listens beyond loopback
	// (--listen 0.0.0.0): it has no authentication, so the header warns.
	Exposed bool
	// State is the connection state.
	State ConnState
	// Tap is the subject the tap subscribes to, usually ">".
	Tap string
	// ClientDropped counts messages nats.go dropped (slow consumer).
	ClientDropped uint64
	// ServerDropped counts slow-consumer events the server reported, -1 when
	// the server does not tell us.
	ServerDropped int64
	// LastError is the newest asynchronous error, sanitized by the UI.
	LastError string
	// Reconnects counts reconnections since start.
	Reconnects uint64
	// Scoped is true when natsx subscribes per filter instead of ">"
	// (--no-tap, or the server refused ">").
	Scoped bool
	// SlowConsumerEvents counts the times the server closed natsx's
	// connection because natsx read too slowly (the server's log says
	// "Slow Consumer Detected"); what it held for natsx then was discarded
	// uncounted, see LossUnknownSince.
	SlowConsumerEvents int
	// LossUnknownSince is when natsx first lost its connection, zero when
	// it never did: messages published from then until the reconnect (and
	// those the server still held for natsx) were never seen, and no
	// server counts them, so the loss is unknown from this time on.
	LossUnknownSince time.Time
	// Memory is what the source holds on the heap for the traffic the UI
	// has not read yet or may read again: the engine's store and nats.go's
	// pending messages. The header's mem adds it to what the UI holds.
	Memory int64
	// FilterErrors maps a refused subscription's subject to the server's
	// error, shown on the pane that asked for it.
	FilterErrors map[string]string
}
