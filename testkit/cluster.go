package testkit

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Cluster starts n real nats-servers named n1…nN on random loopback ports,
// joined by routes into one cluster, and waits until every server has a
// route to every other one (interest then crosses the cluster). mod, when
// given, changes server i's options before it starts: accounts built by
// Accounts must be built per server, nats-server owns the *Account it is
// given. The servers shut down when the test ends.
func Cluster(t testing.TB, n int, mod func(i int, o *server.Options)) []*server.Server {
	t.Helper()
	servers := make([]*server.Server, 0, n)
	var seed *url.URL
	for i := range n {
		s := Server(t, func(o *server.Options) {
			o.ServerName = fmt.Sprintf("n%d", i+1)
			o.Cluster = server.ClusterOpts{Name: "natsx-test", Host: "127.0.0.1", Port: -1}
			if seed != nil {
				o.Routes = []*url.URL{seed}
			}
			if mod != nil {
				mod(i, o)
			}
		})
		if seed == nil {
			seed = &url.URL{Scheme: "nats", Host: s.ClusterAddr().String()}
		}
		servers = append(servers, s)
	}
	deadline := time.Now().Add(readyTimeout)
	for _, s := range servers {
		for s.NumRemotes() < n-1 {
			if time.Now().After(deadline) {
				t.Fatalf("testkit: cluster: %s has %d of %d routes", s.Name(), s.NumRemotes(), n-1)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return servers
}

// User is a user of a test server's accounts configuration.
type User struct {
	Name, Password, Account string
	// Permissions, when set, limit what the user may publish and subscribe.
	Permissions *server.Permissions
}

// Accounts returns an option change giving a server the accounts its users
// name, plus system as its system account, and the users with their
// passwords. Each call builds new accounts, so call it once per server.
func Accounts(system string, users ...User) func(*server.Options) {
	return func(o *server.Options) {
		accs := map[string]*server.Account{}
		account := func(name string) *server.Account {
			if a, ok := accs[name]; ok {
				return a
			}
			a := server.NewAccount(name)
			accs[name] = a
			o.Accounts = append(o.Accounts, a)
			return a
		}
		account(system)
		o.SystemAccount = system
		for _, u := range users {
			o.Users = append(o.Users, &server.User{
				Username: u.Name, Password: u.Password, Account: account(u.Account), Permissions: u.Permissions,
			})
		}
	}
}
