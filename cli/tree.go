package cli

import (
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
}

// Validate checks the flags at parse time.
func (c *TreeCmd) Validate() error {
	if c.For <= 0 {
		return flagErrorf("--for %s: must be positive", c.For)
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
	return printTree(env.Out, sess, c.For, c.JSON)
}

// printTree reads the session for d into a fresh tree and prints it.
func printTree(w io.Writer, sess *engine.Session, d time.Duration, asJSON bool) error {
	start := time.Now()
	tree := model.NewTree(model.TreeOptions{HistoryDepth: 1}, start.UnixNano())
	buf := make([]model.Message, 1<<14)
	var cursor, missed uint64
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(ui.TickInterval)
	defer tick.Stop()
	drain := func() {
		for {
			n, next, miss := sess.Read(cursor, buf)
			for i := 0; i < n; i++ {
				tree.Apply(&buf[i])
			}
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
	rep := model.NewTreeReport(tree, time.Now().UnixNano(), sess.Status().URL, missed+sess.Status().ClientDropped)
	if asJSON {
		return rep.WriteJSON(w)
	}
	return rep.WriteText(w)
}
