package model

import "testing"

func TestEventSummary(t *testing.T) {
	for _, tc := range []struct {
		subject, data, want string
	}{
		{"$SYS.ACCOUNT.A.CONNECT",
			`{"type":"io.nats.server.advisory.v1.client_connect","server":{"name":"n1"},"client":{"host":"127.0.0.1","id":7,"acc":"A","user":"bob","name":"billing","lang":"go","ver":"1.55.0","kind":"Client"}}`,
			`connect: client "billing" (cid 7, go 1.55.0, user bob, from 127.0.0.1) in account A on n1`},
		{"$SYS.ACCOUNT.A.DISCONNECT",
			`{"type":"io.nats.server.advisory.v1.client_disconnect","server":{"name":"n1"},"client":{"id":7,"acc":"A"},"sent":{"msgs":3,"bytes":30},"received":{"msgs":1,"bytes":5},"reason":"Slow Consumer (Pending Bytes)"}`,
			`disconnect: client (cid 7) in account A on n1: Slow Consumer (Pending Bytes) (sent 3 msgs, received 1 msg)`},
		{"$SYS.SERVER.NABC.CLIENT.AUTH.ERR",
			`{"server":{"name":"n2"},"client":{"host":"10.0.0.9","id":12,"user":"eve"},"reason":"Authentication Failure"}`,
			`auth error: client (cid 12, user eve, from 10.0.0.9) on n2: Authentication Failure`},
		{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.worker",
			`{"type":"io.nats.jetstream.advisory.v1.max_deliver","stream":"ORDERS","consumer":"worker","stream_seq":42,"deliveries":5}`,
			`max deliveries: message 42 of stream ORDERS reached 5 deliveries on consumer worker; it is not redelivered`},
		{"$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.ORDERS.worker",
			`{"type":"io.nats.jetstream.advisory.v1.nak","stream":"ORDERS","consumer":"worker","stream_seq":42,"deliveries":2}`,
			`nak: consumer worker of stream ORDERS refused message 42 (delivery 2); it will be redelivered`},
		{"$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.ORDERS.worker",
			`{"type":"io.nats.jetstream.advisory.v1.terminated","stream":"ORDERS","consumer":"worker","stream_seq":42,"deliveries":1,"reason":"bad payload"}`,
			`terminated: consumer worker of stream ORDERS gave up on message 42 after 1 delivery: bad payload`},
		{"$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.ORDERS",
			`{"type":"io.nats.jetstream.advisory.v1.stream_leader_elected","stream":"ORDERS","leader":"n2","replicas":[{"name":"n1"},{"name":"n3"}]}`,
			`leader elected: stream ORDERS is now led by n2 (2 other replicas)`},
		{"$JS.EVENT.ADVISORY.CONSUMER.LEADER_ELECTED.ORDERS.worker",
			`{"type":"io.nats.jetstream.advisory.v1.consumer_leader_elected","stream":"ORDERS","consumer":"worker","leader":"n3"}`,
			`leader elected: consumer worker of stream ORDERS is now led by n3`},
		{"$JS.EVENT.ADVISORY.STREAM.CREATED.ORDERS",
			`{"type":"io.nats.jetstream.advisory.v1.stream_action","stream":"ORDERS","action":"create"}`,
			`stream ORDERS: create`},
		{"$JS.EVENT.ADVISORY.STREAM.QUORUM_LOST.ORDERS",
			`{"type":"io.nats.jetstream.advisory.v1.stream_quorum_lost","stream":"ORDERS"}`,
			`JetStream advisory: stream quorum lost, stream ORDERS`},
	} {
		got, ok := EventSummary(tc.subject, []byte(tc.data))
		if !ok || got != tc.want {
			t.Errorf("%s:\n got %q (%v)\nwant %q", tc.subject, got, ok, tc.want)
		}
	}
	for _, tc := range []struct{ subject, data string }{
		{"orders.new", `{"type":"io.nats.jetstream.advisory.v1.nak"}`}, // not an event subject
		{"$SYS.ACCOUNT.A.CONNECT", `not json`},
		{"$JS.EVENT.ADVISORY.X", `{"type":"something.else"}`},
		{"$SYS.ACCOUNT.A.CONNECTIONS", `{}`},
	} {
		if got, ok := EventSummary(tc.subject, []byte(tc.data)); ok {
			t.Errorf("%s %s: summary %q, want none", tc.subject, tc.data, got)
		}
	}
}

func FuzzEventSummary(f *testing.F) {
	f.Add("$SYS.ACCOUNT.A.DISCONNECT", []byte(`{"client":{"id":1},"reason":"x"}`))
	f.Add("$JS.EVENT.ADVISORY.API", []byte(`{"type":"io.nats.jetstream.advisory.v1.api_audit","subject":"$JS.API.INFO"}`))
	f.Fuzz(func(t *testing.T, subject string, data []byte) {
		EventSummary(subject, data) // must not panic
	})
}
