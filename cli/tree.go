package cli

import (
	"fmt"
	"io"
	"time"

	"natsx/engine"
	"natsx/model"
	"natsx/ui"
)

// TreeCmd prints the subject tree once.
type TreeCmd struct {
	SourceFlags
	For  time.Duration `default:"2s" help:"how long to listen"`
	JSON bool          `help:"print JSON"`
	WhereFlag
}

// Validate checks the flags at parse time.
func (c *TreeCmd) Validate() error {
	if c.For <= 0 {
		return flagErrorf("--for %s: must be positive", c.For)
	}
	if err := c.validateWhere(); err != nil {
		return err
	}
	return c.SourceFlags.validate()
}

// Run listens for the given time and prints the tree.
func (c *TreeCmd) Run(env *Env) error {
	so, err := c.sessionOptions()
	if err != nil {
		return err
	}
	sess, err := engine.Open(so)
	if err != nil {
		return err
	}
	defer sess.Close()
	if so.Embedded != nil && !c.Embedded {
		// A script that forgot its server must not take a tree of natsx's
		// own broker for the real one: said on stderr, so stdout stays
		// the report.
		what := "the embedded broker's demo traffic"
		if c.NoDemo {
			what = "an embedded broker without traffic (--no-demo)"
		}
		fmt.Fprintf(env.Err, "natsx: no server named (-s, --context, NATS_URL or nats context select): a tree of %s\n", what)
	}
	err = printTree(env.Out, sess, c.For, c.JSON, c.keepFunc())
	c.reportMisses(env.Err)
	return err
}

// printTree reads the session for d through the explorer's one ingest
// (model.Explorer, as the UI counts) and prints the tree of the messages
// keep holds for (all when nil).
func printTree(w io.Writer, sess *engine.Session, d time.Duration, asJSON bool, keep func(*model.Message) bool) error {
	ex := model.NewExplorer(model.ExplorerOptions{Tree: model.TreeOptions{HistoryDepth: 1}}, time.Now())
	buf := make([]model.Message, 1<<14)
	var cursor, missed uint64
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(ui.TickInterval)
	defer tick.Stop()
	drain := func() {
		for {
			n, next, miss := sess.Read(cursor, buf)
			batch := buf[:n]
			if keep != nil {
				batch = keepWhere(batch, keep)
			}
			ex.Apply(batch, sess.Status(), time.Now())
			clear(buf[:n])
			cursor, missed = next, missed+miss
			if n < len(buf) {
				return
			}
		}
	}
	for done := false; !done; {
		select {
		case <-tick.C:
			drain()
		case <-deadline.C:
			drain()
			done = true
		}
	}
	st := ex.Status()
	rep := model.NewTreeReport(ex.Tree(), time.Now().UnixNano(), st.URL, missed+st.ClientDropped)
	if asJSON {
		return rep.WriteJSON(w)
	}
	return rep.WriteText(w)
}
