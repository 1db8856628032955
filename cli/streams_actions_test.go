package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/model"
	"natsx/ui"
)

// The JetStream actions (P purge, D delete) on a real server, through the
// UI model as natsx wires it; see streams_browse_test.go for why here.

// actionBrowser is newBrowser with --read-only as given.
func actionBrowser(t *testing.T, j *engine.JetStream, readOnly bool, w, h int) *browser {
	m := ui.New(ui.Options{Start: time.Now(), Streams: j, ReadOnly: readOnly})
	m.Apply(nil, time.Now(), model.SourceStatus{State: model.StateConnected})
	b := &browser{t: t, m: m, w: w, h: h}
	b.update(tea.WindowSizeMsg{Width: w, Height: h})
	return b
}

// answer presses y and runs the action; the listing or nothing it asks
// for next is returned, not run.
func (b *browser) answer() tea.Cmd {
	b.t.Helper()
	cmd := b.press("y")
	if cmd == nil {
		b.t.Fatalf("y started nothing:\n%s", b.screen())
	}
	return b.update(cmd())
}

// heldMsgs is how many messages the stream holds now.
func heldMsgs(t *testing.T, s jetstream.Stream) uint64 {
	t.Helper()
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// TestStreamPurge: P on the streams list asks, naming the stream and how
// many messages it holds; n, esc or any other key cancels and removes
// nothing; y purges, says how many went, and the list shows it empty, as
// does the browser.
func TestStreamPurge(t *testing.T) {
	j, s, _ := browseServer(t, 20)
	b := actionBrowser(t, j, false, 80, 24)
	b.read("J")
	b.wants("streams", "WQ", "P purge")
	for _, no := range []string{"n", "esc", "Y", "enter"} {
		if cmd := b.press("P"); cmd != nil {
			t.Fatal("P ran something before the answer")
		}
		b.wants("asked", "purge stream WQ (20 messages)? y/N")
		if cmd := b.press(no); cmd != nil {
			t.Fatalf("%s ran the purge", no)
		}
		b.wants("cancelled with "+no, "cancelled: nothing removed", "JetStream streams")
		if n := heldMsgs(t, s); n != 20 {
			t.Fatalf("after cancelling with %s the stream holds %d messages", no, n)
		}
	}
	b.press("P")
	list := b.answer()
	if list == nil {
		t.Fatal("the purge did not list the streams again")
	}
	b.wants("purged", "purged 20 messages from WQ")
	if n := heldMsgs(t, s); n != 0 {
		t.Fatalf("after the purge the stream holds %d messages", n)
	}
	b.update(list())
	row := ""
	for l := range strings.SplitSeq(b.screen(), "\n") {
		if strings.HasPrefix(l, "WQ ") {
			row = l
		}
	}
	if f := strings.Fields(row); len(f) < 3 || f[2] != "0" {
		t.Fatalf("the list after the purge: WQ's row %q, want 0 messages:\n%s", row, b.screen())
	}
	b.read("b")
	b.wants("browser after the purge", "no messages in this stream")
}

// TestStreamDeleteAndPurgeSubject: in the browser D deletes the selected
// message after asking (its sequence, subject and size named) and the
// page read again skips it; P purges the selected message's subject after
// asking with its count; esc cancels both.
func TestStreamDeleteAndPurgeSubject(t *testing.T) {
	j, s, _ := browseServer(t, 20)
	b := actionBrowser(t, j, false, 120, 24) // the footer shows D and P from 100 columns
	b.read("J")
	b.read("b")
	b.wants("opened", "#1-#20", "D del")
	b.press("k") // #19, wq.a
	size := len(fmt.Sprintf(`{"job":%d,"kind":"email"}`, 19))
	b.press("D")
	b.wants("asked", fmt.Sprintf("delete WQ #19 (wq.a, %d B)? y/N", size))
	b.press("esc")
	b.wants("cancelled", "cancelled: nothing removed", "#1-#20")
	b.press("D")
	b.answer()
	b.wants("deleted", "deleted WQ #19", "20 · stream 1-20, 19 messages")
	if _, err := s.GetMsg(context.Background(), 19); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Fatalf("#19 after the delete: %v", err)
	}
	for l := range strings.SplitSeq(b.screen(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "19 ") {
			t.Fatalf("#19 still listed: %q", l)
		}
	}
	if n := heldMsgs(t, s); n != 19 {
		t.Fatalf("after deleting one of 20 the stream holds %d", n)
	}
	// The selection is on a wq.b message now (#20 or #18): P counts
	// wq.b's messages, then asks.
	b.press("G")
	cmd := b.press("P")
	if cmd == nil {
		t.Fatal("P did not count the subject's messages")
	}
	b.update(cmd())
	b.wants("asked", "purge wq.b from WQ (10 messages)? y/N")
	b.press("n")
	if n := heldMsgs(t, s); n != 19 {
		t.Fatalf("after cancelling the subject's purge the stream holds %d", n)
	}
	b.update(b.press("P")())
	b.answer()
	b.wants("purged wq.b", "purged 10 messages of wq.b from WQ", "9 messages")
	if strings.Contains(b.screen(), "wq.b") && !strings.Contains(b.screen(), "of wq.b from") {
		t.Fatalf("wq.b still listed:\n%s", b.screen())
	}
	if n := heldMsgs(t, s); n != 9 {
		t.Fatalf("after purging wq.b the stream holds %d, want the 9 wq.a", n)
	}
}

// TestStreamActionsReadOnly: with --read-only P and D do not exist: no
// question, nothing removed, the footer and the help do not offer them.
func TestStreamActionsReadOnly(t *testing.T) {
	j, s, _ := browseServer(t, 5)
	rw := actionBrowser(t, j, false, 200, 60)
	rw.press("?")
	rw.wants("the help without --read-only", "purge the stream", "delete the selected one")

	ro := actionBrowser(t, j, true, 200, 60)
	ro.press("?")
	ro.wants("the read-only help", "JetStream streams")
	if sc := ro.screen(); strings.Contains(sc, "purge") || strings.Contains(sc, "delete the selected") {
		t.Fatalf("the read-only help lists the actions:\n%s", sc)
	}
	b := actionBrowser(t, j, true, 80, 24)
	b.read("J")
	if cmd := b.press("P"); cmd != nil {
		t.Fatal("P ran something with --read-only")
	}
	b.wants("P read-only", "read-only: purge and delete are off")
	if strings.Contains(b.screen(), "y/N") || strings.Contains(b.screen(), "P purge") {
		t.Fatalf("read-only streams view offers a purge:\n%s", b.screen())
	}
	b.read("b")
	for _, k := range []string{"P", "D", "y"} {
		if cmd := b.press(k); cmd != nil {
			t.Fatalf("%s ran something in the read-only browser", k)
		}
	}
	if sc := b.screen(); strings.Contains(sc, "y/N") || strings.Contains(sc, "D del") {
		t.Fatalf("the read-only browser offers a delete:\n%s", sc)
	}
	if n := heldMsgs(t, s); n != 5 {
		t.Fatalf("read-only: the stream holds %d of 5", n)
	}
}
