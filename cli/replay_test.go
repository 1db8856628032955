package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/recorder"
	"natsx/testkit"
)

// TestReplayServerGone covers issue 12 item 12: a replay whose server
// disappears stops with one line that says how many messages were sent
// and how many the server confirmed, instead of "flush: nats: timeout".
func TestReplayServerGone(t *testing.T) {
	t.Setenv("NATS_URL", "")
	path := filepath.Join(t.TempDir(), "slow.natsx")
	base := time.Now().UnixNano()
	msgs := make([]model.Message, 400)
	for i := range msgs {
		msgs[i] = model.Message{Received: base + int64(i)*int64(10*time.Millisecond), Subject: "gone.x", Data: []byte("x"), Size: 1}
	}
	if _, err := recorder.SaveMessages(path, msgs, recorder.HeaderInfo{}); err != nil {
		t.Fatal(err)
	}
	s := testkit.Server(t)
	sub := testkit.Conn(t, s.ClientURL())
	got := make(chan struct{}, 1000)
	if _, err := sub.Subscribe("gone.>", func(*nats.Msg) { got <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	_ = sub.Flush()
	done := make(chan string, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run([]string{"replay", path, "-s", s.ClientURL()}, &out, &errb)
		done <- fmt.Sprintf("%d %s", code, errb.String())
	}()
	for range 20 {
		<-got
	}
	s.Shutdown()
	var res string
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("replay did not stop after the server went away")
	}
	var sent, confirmed int
	line := errorLine(res[2:])
	i := strings.Index(line, "; ")
	if i < 0 || !strings.HasPrefix(res, "1 ") {
		t.Fatalf("replay to a vanished server: %q", res)
	}
	if _, err := fmt.Sscanf(line[i+2:], "%d messages sent to", &sent); err != nil || sent < 20 || sent >= 400 {
		t.Fatalf("%q: sent %d (%v)", line, sent, err)
	}
	if j := strings.Index(line, "before it stopped, "); j < 0 {
		t.Fatalf("%q", line)
	} else if _, err := fmt.Sscanf(line[j+len("before it stopped, "):], "%d of them confirmed", &confirmed); err != nil || confirmed > sent {
		t.Fatalf("%q: confirmed %d (%v)", line, confirmed, err)
	}
}
