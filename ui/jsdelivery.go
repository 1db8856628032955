package ui

import "natsx/model"

// deliveryLines say what a JetStream delivery is, decoded from its $JS.ACK
// reply subject: which stream and consumer, which stream sequence, which
// delivery (2 and more: a redelivery). Nothing for other messages.
func (m *Model) deliveryLines(msg *model.Message) []string {
	d, ok := model.ParseJSDelivery(msg.Reply)
	if !ok {
		return nil
	}
	st := m.styles
	line := kv(st, "delivery", d.String())
	if d.Delivered > 1 {
		line = kv(st, "delivery", st.Warn.Render(d.String()))
	}
	return []string{line}
}
