package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/nats-io/nats.go/jetstream"
)

// following runs the command F or a follow tick returned: its read's page
// is delivered, and the tick's message (it waits the follow interval) is
// returned, not delivered. A command that is the tick alone (no read:
// one already runs) is reported by reads == 0.
func (b *browser) following(cmd tea.Cmd) (tick tea.Msg, reads int) {
	b.t.Helper()
	if cmd == nil {
		b.t.Fatalf("no follow command:\n%s", b.screen())
	}
	first := cmd() // a tick runs once: its timer fires once
	batch, ok := first.(tea.BatchMsg)
	if !ok {
		return first, 0 // the tick alone
	}
	cmds := []tea.Cmd(batch)
	for _, c := range cmds {
		if c == nil {
			continue
		}
		msg := c()
		if strings.HasSuffix(fmt.Sprintf("%T", msg), "streamsTickMsg") {
			tick = msg
			continue
		}
		reads++
		b.update(msg)
	}
	if tick == nil {
		b.t.Fatal("following armed no tick")
	}
	return tick, reads
}

// publishWQ stores n more jobs on wq.a in the work-queue stream.
func publishWQ(t *testing.T, js jetstream.JetStream, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, err := js.Publish(context.Background(), "wq.a", fmt.Appendf(nil, `{"job":%d,"kind":"email"}`, i)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStreamBrowserFollow: F in the browser reads the end and, on each
// tick, what was stored since, the inspector on the newest message; a
// tick while a read runs reads nothing more; more than a page stored
// between two ticks is caught up by reading the end; what the stream
// lets go leaves the page; [ (towards older
// messages) turns it off and the tick chain ends; F twice turns it off.
func TestStreamBrowserFollow(t *testing.T) {
	j, s, js := browseServer(t, 5)
	b := newBrowser(t, j, 100, 30)
	b.read("J")
	b.read("b")
	b.wants("opened", "WQ · messages", "#1-#5")
	b.press("enter")
	b.wants("newest", "WQ · sequence 5 ·")

	tick, reads := b.following(b.press("F"))
	if reads != 1 {
		t.Fatalf("F read %d times; want the end once", reads)
	}
	b.wants("following", "messages · following", "#1-#5", "WQ · sequence 5 ·")

	publishWQ(t, js, 6, 3)
	next := b.update(tick)
	// The read of this tick runs: a tick meanwhile reads nothing more.
	if _, reads := b.following(b.update(tick)); reads != 0 {
		t.Fatalf("a tick while a read runs read %d more", reads)
	}
	tick, reads = b.following(next)
	if reads != 1 {
		t.Fatalf("the tick read %d times", reads)
	}
	b.wants("followed", "#1-#8", "stream 1-8, 8 messages", "WQ · sequence 8 ·", `"job": 8`)

	// More than two pages between two ticks: the first read takes the
	// page after the newest shown; it was full, so the next takes the end
	// (not the page after it: following catches up).
	publishWQ(t, js, 9, 250)
	tick, _ = b.following(b.update(tick))
	b.wants("a full page after", "#9-#108", "WQ · sequence 108 ·")
	tick, _ = b.following(b.update(tick))
	b.wants("caught up", "#159-#258", "stream 1-258, 258 messages", "WQ · sequence 258 ·")

	// What the stream lets go below its first sequence leaves the page,
	// though nothing new came.
	if err := s.Purge(context.Background(), jetstream.WithPurgeKeep(50)); err != nil {
		t.Fatal(err)
	}
	tick, _ = b.following(b.update(tick))
	b.wants("purged below", "#209-#258", "stream 209-258, 50 messages", "WQ · sequence 258 ·")

	// [ steps to an older message: following is off, the next tick ends
	// the chain and the page stays.
	b.press("[")
	if strings.Contains(b.screen(), "· following") {
		t.Fatalf("[ left following on:\n%s", b.screen())
	}
	b.wants("stepped back", "WQ · sequence 257 ·", "follow off")
	publishWQ(t, js, 259, 2)
	if cmd := b.update(tick); cmd != nil {
		t.Fatal("a tick after following stopped armed another")
	}
	b.wants("not followed", "#209-#258", "WQ · sequence 257 ·")

	// F again follows (from the end); F once more turns it off.
	tick, _ = b.following(b.press("F"))
	b.wants("following again", "· following", "#209-#260", "WQ · sequence 260 ·")
	if cmd := b.press("F"); cmd != nil {
		t.Fatal("F off started something")
	}
	b.wants("off", "follow off")
	if cmd := b.update(tick); cmd != nil {
		t.Fatal("a tick after F off armed another")
	}

	// A question about the selected message stops following, so the
	// selection stays on the message the question names.
	tick, _ = b.following(b.press("F"))
	b.press("D")
	b.wants("asked", "delete WQ #260", "WQ · sequence 260 ·")
	publishWQ(t, js, 261, 2)
	if cmd := b.update(tick); cmd != nil {
		t.Fatal("a tick while asking armed another")
	}
	b.wants("held while asking", "delete WQ #260", "WQ · sequence 260 ·")
	b.press("n")
}
