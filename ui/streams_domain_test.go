package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/testkit"
)

// TestStreamsDomain: on a leaf node, the streams view asked for the hub's
// domain lists the hub's streams, not the leaf's, and its title names the
// domain.
func TestStreamsDomain(t *testing.T) {
	hub, leaf := testkit.JetStreamDomains(t, "hub", "leaf")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range []struct{ url, stream string }{{hub.ClientURL(), "HUBS"}, {leaf.ClientURL(), "EDGE"}} {
		js, err := jetstream.New(testkit.Conn(t, c.url))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: c.stream, Subjects: []string{strings.ToLower(c.stream) + ".>"}}); err != nil {
			t.Fatal(err)
		}
	}
	j, err := engine.NewJetStream(testkit.Conn(t, leaf.ClientURL()), engine.JetStreamOptions{Domain: "hub"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	m := New(Options{Start: sceneStart, Streams: j, JetStreamDomain: "hub"})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	cmd := send(m, press("J"))
	if cmd == nil {
		t.Fatal("J: no listing")
	}
	send(m, cmd())
	out := ansi.Strip(render(t, m, 80, 24))
	if !strings.Contains(out, "JetStream streams · domain hub") || !strings.Contains(out, "HUBS") || strings.Contains(out, "EDGE") {
		t.Fatalf("streams view of domain hub from the leaf:\n%s", out)
	}
}
