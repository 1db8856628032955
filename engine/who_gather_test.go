package engine

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"natsx/testkit"
)

// TestPingServer: the question about one server of a cluster gets that
// server's answer among all of them; a subject nobody answers (an account
// that may not send it, no system account) is "nobody told us", not an
// error, as a timeout is.
func TestPingServer(t *testing.T) {
	t.Parallel()
	servers := testkit.Cluster(t, 3, func(_ int, o *server.Options) {
		testkit.Accounts("SYS", testkit.User{Name: "a", Password: "a", Account: "A"})(o)
	})
	nc := testkit.Conn(t, withUser(servers[0].ClientURL(), "a"))
	// Every server answers for the account, a connection there or not.
	all := server.AccountStatzEventOptions{AccountStatzOptions: server.AccountStatzOptions{IncludeUnused: true}}
	for _, s := range servers {
		var az server.AccountStatz
		ok, err := pingServer(nc, statzPing, all, s.ID(), &az)
		if !ok || err != nil || len(az.Accounts) != 1 || az.Accounts[0].Account != "A" {
			t.Fatalf("%s: ok %v err %v statz %+v", s.Name(), ok, err, az)
		}
	}
	var az server.AccountStatz
	if ok, err := pingServer(nc, "nobody.answers", all, servers[0].ID(), &az); ok || err != nil {
		t.Fatalf("no responders: ok %v err %v, want false and no error", ok, err)
	}
	if ok, err := pingServer(nc, statzPing, all, "no-such-server", &az); ok || err != nil {
		t.Fatalf("an unknown server: ok %v err %v, want false and no error", ok, err)
	}
}
