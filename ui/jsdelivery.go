package ui

import (
	"strconv"

	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

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

// deliveryArrow starts a pane row's delivery mark.
const deliveryArrow = "⇢ "

// minRowPreview is how much of the payload preview a pane row keeps
// before its delivery mark gives way: the mark is cut, the preview is not
// squeezed out.
const minRowPreview = 8

// minDeliveryMark is the room a delivery mark gets whatever the preview
// has left: "⇢ ×2 ", a delivery and whether it is a redelivery.
const minDeliveryMark = 5

// deliveryMark is a pane row's mark for a JetStream delivery, decoded from
// its $JS.ACK reply: "⇢ ORDERS/notifier #41 " (stream, consumer, stream
// sequence), then "×2 " in the warning colour for a redelivery, in room
// cells at most. Short of room the stream goes first (the delivery's
// subject is the stream's own), then the consumer is cut, then left out,
// then the sequence, so the arrow and the redelivery count stay longest.
// plain is the same text uncoloured, for a selected row; nothing for a
// message that is not a delivery.
func deliveryMark(st *Styles, reply string, room int) (plain, colored string) {
	d, ok := model.ParseJSDelivery(reply)
	if !ok || room < ansi.StringWidth(deliveryArrow) {
		return "", ""
	}
	again := ""
	if d.Delivered > 1 {
		again = "×" + strconv.FormatUint(d.Delivered, 10) + " "
	}
	seq := "#" + strconv.FormatUint(d.StreamSeq, 10) + " "
	consumer := model.Sanitize(d.Consumer)
	head := deliveryArrow
	left := room - ansi.StringWidth(deliveryArrow+seq+again)
	switch both := model.Sanitize(d.Stream) + "/" + consumer; {
	case left >= ansi.StringWidth(both)+1:
		head += both + " " + seq
	case left >= ansi.StringWidth(consumer)+1:
		head += consumer + " " + seq
	case left >= 7: // five letters of the consumer, "…" and the space: fewer say nothing
		head += fitCut(consumer, left-1) + " " + seq
	case left >= 0:
		head += seq
	case left+ansi.StringWidth(seq) < 0:
		again = "" // the arrow alone
	}
	return head + again, st.Accent.Render(head) + styled(st.Warn, again)
}
