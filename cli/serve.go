package cli

import (
	"fmt"

	"natsx/engine"
)

// ServeCmd runs the embedded broker headless, with JetStream (and, with
// --demo, the demo's streams, consumers and KV bucket).
type ServeCmd struct {
	ListenFlag
	StoreFlag
	Demo     bool `help:"publish demo traffic"`
	DemoRate Rate `default:"200" help:"demo messages per second, or max" placeholder:"N|max"`
}

// Run serves until interrupted.
func (c *ServeCmd) Run(env *Env) error {
	emb, err := engine.StartEmbedded(engine.EmbeddedOptions{Listen: c.Listen, StoreDir: c.Store, SystemUser: "sys"})
	if err != nil {
		return err
	}
	defer emb.Shutdown()
	if c.Demo {
		nc, err := engine.Connect(engine.ConnOptions{Servers: emb.URL(), Name: "natsx-demo"})
		if err != nil {
			return err
		}
		defer nc.Close()
		d, err := engine.StartDemo(nc, engine.DemoOptions{Rate: float64(c.DemoRate)})
		if err != nil {
			return err
		}
		defer d.Stop()
		if err := d.JetStreamErr(); err != nil {
			fmt.Fprintf(env.Err, "natsx: demo without JetStream: %s\n", oneLine(err))
		}
	}
	fmt.Fprintln(env.Out, emb.URL())
	if user, pass, ok := emb.SystemCredentials(); ok {
		// The first line stays the bare URL (scripts read it); the system
		// account is for `nats server ...` against this broker.
		fmt.Fprintf(env.Out, "system account: nats -s %s --user %s --password %s server list\n", emb.URL(), user, pass)
	}
	ctx, stop := interruptible()
	defer stop()
	<-ctx.Done()
	return nil
}
