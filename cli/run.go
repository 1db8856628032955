package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
	"natsx/ui"
)

// RunCmd opens the explorer.
type RunCmd struct {
	SourceFlags
	ExplorerFlags
	NoTap bool `help:"do not subscribe to '>': subscribe per filter pane only (scoped mode)"`
}

// Validate checks the flags at parse time.
func (c *RunCmd) Validate() error {
	if err := c.ExplorerFlags.validate(); err != nil {
		return err
	}
	return c.SourceFlags.validate()
}

// Run opens the explorer on live traffic.
func (c *RunCmd) Run(env *Env) error {
	so, err := c.sessionOptions()
	if err != nil {
		return err
	}
	so.NoTap = c.NoTap
	start := time.Now()
	sess, err := engine.Open(so)
	if err != nil {
		return err
	}
	defer sess.Close()
	return c.explore(env, sess, start, nil)
}

// ExplorerProcs is the explorer's GOMAXPROCS: at least 4, so on a 2-core
// laptop under a flood the goroutines that answer keys and draw frames do
// not queue behind the busy ones (the tap's read loop and callback, an
// embedded broker's client loops) for a free P, 10 ms slices each hop: the
// kernel shares the cores among the threads instead, waking an idle one at
// once. Measured with go run ./bench at 2M messages: key p50 50-60 ms and
// p99 120-170 ms with 2 Ps, 15-20 ms and 80 ms with 4. An explicit
// GOMAXPROCS in the environment wins. The bench program runs the explorer
// with it too.
func ExplorerProcs() int {
	if os.Getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0)
	}
	return max(runtime.GOMAXPROCS(0), 4)
}

// explore runs the explorer on sess until the user quits; tl is the
// capture player of natsx open, nil for live traffic.
func (f ExplorerFlags) explore(env *Env, sess *engine.Session, start time.Time, tl ui.Timeline) error {
	budget := int64(f.MaxMemory)
	SetExplorerGC(budget)
	runtime.GOMAXPROCS(ExplorerProcs())
	var streams ui.StreamLister
	if tl == nil {
		// Live: the streams view asks the server natsx is connected to.
		js, err := engine.NewJetStream(sess.Conn(), engine.JetStreamOptions{})
		if err != nil {
			return err
		}
		defer js.Close()
		streams = js
	}
	m := ui.New(ui.Options{
		Source:    sess,
		Start:     start,
		Tree:      model.TreeOptions{MaxMemory: budget},
		Filters:   f.Filter,
		PaneDepth: f.PaneDepth,
		StatePath: ui.DefaultStatePath(),
		Mouse:     f.Mouse,
		ReadOnly:  f.ReadOnly,
		Recorder:  tuiRecorder(sess, env.Version),
		Timeline:  tl,
		Streams:   streams,
	})
	if _, err := tea.NewProgram(m, tea.WithFPS(ui.FPS)).Run(); err != nil && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("terminal: %w", err)
	}
	return nil
}

// ExplorerRecorder is the explorer's recorder wiring (R, F, m) for sess,
// for the bench program, which runs the explorer as natsx does.
func ExplorerRecorder(sess *engine.Session, version string) *ui.Recorder {
	return tuiRecorder(sess, version)
}

// tuiRecorder wires R (record from the store's head), F (flight recorder
// of the last minute, 64 MiB at most) and m (markers) to the recorder.
func tuiRecorder(sess *engine.Session, version string) *ui.Recorder {
	hdr := recorder.HeaderInfo{Server: sess.Status().URL, NatsxVersion: version}
	return &ui.Recorder{
		Start: func(path string) (ui.Recording, error) {
			r, err := recorder.StartLive(sess, sess.Head(), path, hdr)
			if err != nil {
				return nil, err
			}
			return recorder.Recording{LiveRecorder: r}, nil
		},
		Save: func(path string, msgs []model.Message) (int, error) {
			return recorder.SaveMessages(path, msgs, hdr)
		},
		Flight: recorder.NewFlightRecorder(0, 0),
	}
}
