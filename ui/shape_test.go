package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"natsx/model"
)

// shapeMsgs are readings on sensors.temp.1, the last one of another shape.
func shapeMsgs(last string) []model.Message {
	var out []model.Message
	for i := range 6 {
		data := fmt.Sprintf(`{"sensor":"s-1","value":%d,"unit":"C"}`, 20+i)
		if i == 5 {
			data = last
		}
		msg := paneMsg(sceneNow.Add(time.Duration(i)*time.Second), "sensors.temp.1", data, "")
		msg.Seq = uint64(i + 1)
		out = append(out, msg)
	}
	return out
}

func TestShapeMarksAnUnusualMessage(t *testing.T) {
	m := paneModel(nil, 160, 40)
	openPane(t, m, "sensors.>")
	m.Apply(shapeMsgs(`{"sensor":"s-1","value":"hot","debug":true}`), sceneNow, model.SourceStatus{})
	out := screenText(m)
	if !strings.Contains(out, "shape     new .debug · missing .unit · .value string, usually number") {
		t.Fatalf("the unusual message is not marked:\n%s", out)
	}
	send(m, pk("k")) // an older, usual message: no mark
	if out := screenText(m); strings.Contains(out, "new .debug") {
		t.Errorf("a usual message is marked:\n%s", out)
	}
	// v cycles to the shape view: the fields, their types and counts.
	for range int(viewShape) {
		send(m, pk("v"))
	}
	if m.insp.view != viewShape {
		t.Fatalf("view %v, want shape", m.insp.view)
	}
	out = screenText(m)
	for _, want := range []string{"shape of 6 kept messages", ".debug", "1/6  bool", ".unit", "5/6  string", ".value", "6/6  number 5 · string 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("shape view lacks %q:\n%s", want, out)
		}
	}
}

func TestShapeOfTextSubject(t *testing.T) {
	m := paneModel(nil, 120, 32)
	openPane(t, m, "logs.>")
	var msgs []model.Message
	for i := range 5 {
		msgs = append(msgs, paneMsg(sceneNow.Add(time.Duration(i)*time.Second), "logs.app", "disk \x1b[2J error", ""))
	}
	m.Apply(msgs, sceneNow, model.SourceStatus{})
	for range int(viewShape) {
		send(m, pk("v"))
	}
	raw := render(t, m, 120, 32)
	if strings.Contains(raw, "\x1b[2J") || !strings.Contains(screenText(m), "no JSON object among this subject's kept messages") {
		t.Errorf("shape view of text:\n%s", screenText(m))
	}
}
