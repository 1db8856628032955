package engine

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"natsx/testkit"
)

// TestStatusSaysTheProbe (issue 14 item 6): the session's status names the
// server it is connected to and, once the who asker's background probe
// answered, the word for what "who gets this" may ask: "?" until then.
func TestStatusSaysTheProbe(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, accountsConfig(), func(o *server.Options) { o.ServerName = "acc" })
	for _, tc := range []struct {
		name, server string
		o            SessionOptions
		want         WhoSource
	}{
		{"embedded", "natsx-embedded", SessionOptions{Embedded: &EmbeddedOptions{RandomPort: true}}, WhoEmbedded},
		{"account", "acc", SessionOptions{Conn: ConnOptions{Servers: withUser(s.ClientURL(), "a")}}, WhoAccount},
		{"system", "acc", SessionOptions{Conn: ConnOptions{Servers: withUser(s.ClientURL(), "sys")}}, WhoSystem},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sess, err := Open(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if p := sess.Status().Probe; p != "" {
				t.Fatalf("probe %q without a prober", p)
			}
			a := NewWhoAsker(sess.Conn(), sess.Embedded(), WhoOptions{Timeout: 500 * time.Millisecond})
			sess.SetProber(a)
			if p := sess.Status().Probe; p != "?" {
				t.Fatalf("probe %q before probing", p)
			}
			a.StartProbe()
			a.StartProbe() // once
			deadline := time.Now().Add(10 * time.Second)
			for sess.Status().Probe == "?" && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			st := sess.Status()
			if st.Probe != string(tc.want) {
				t.Fatalf("probe %q, want %q", st.Probe, tc.want)
			}
			if st.Server != tc.server || st.ServerVersion != server.VERSION {
				t.Fatalf("server %q %q, want %q %q", st.Server, st.ServerVersion, tc.server, server.VERSION)
			}
		})
	}
}
