package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// Publisher sends messages for the publish form; the engine's session
// implements it. Sources without it (a replayed file) get no form.
type Publisher interface {
	Publish(subject, reply string, header model.Header, data []byte) error
	Request(subject string, header model.Header, data []byte, timeout time.Duration) (model.Message, time.Duration, error)
}

// RequestTimeout is how long the form waits for a reply.
const RequestTimeout = 2 * time.Second

// publishForm edits a message to publish or a request to send.
type publishForm struct {
	keys    FormKeys
	st      *Styles
	request bool
	subject textinput.Model
	reply   textinput.Model
	headers textarea.Model
	payload textarea.Model
	field   int // 0 subject, 1 reply, 2 headers, 3 payload
	err     string
}

const formFields = 4

func newPublishForm(st *Styles) publishForm {
	f := publishForm{keys: DefaultFormKeys(), st: st, subject: textinput.New(), reply: textinput.New(), headers: textarea.New(), payload: textarea.New()}
	f.subject.Prompt = ""
	f.subject.Placeholder = "orders.create"
	f.reply.Prompt = ""
	f.reply.Placeholder = "(optional)"
	f.headers.Placeholder = "Key: value (one per line)"
	f.headers.ShowLineNumbers = false
	f.payload.Placeholder = `{"hello":"world"}`
	f.payload.ShowLineNumbers = false
	f.payload.CharLimit = 1 << 20
	return f
}

// requestDoneMsg carries a request's outcome back to Update.
type requestDoneMsg struct {
	subject string
	msg     model.Message
	rtt     time.Duration
	err     string
}

// requestResult is the last response shown in the inspector.
type requestResult = requestDoneMsg

// maxEditHeaders bounds the headers edit & resend copies into the form.
const maxEditHeaders = 1000

// openForm opens the form, empty or loaded from a message (edit & resend).
func (m *Model) openForm(request bool, from *model.Message) tea.Cmd {
	if m.opts.ReadOnly {
		m.setFlash("read-only: publishing is off", true)
		return nil
	}
	if _, ok := m.src.(Publisher); !ok {
		m.setFlash("this source cannot publish", true)
		return nil
	}
	if from != nil && len(from.Header) > maxEditHeaders {
		// A textarea of 200,000 lines would make every key in the form
		// cost seconds.
		m.setFlash(fmt.Sprintf("%d headers: too many to edit here (at most %d)", len(from.Header), maxEditHeaders), true)
		return nil
	}
	m.mode = modeForm
	f := &m.form
	f.request, f.err, f.field = request, "", 0
	f.subject.SetValue("")
	f.reply.SetValue("")
	f.headers.SetValue("")
	f.payload.SetValue("")
	if from == nil {
		// A new message goes where the user is: the selected subject.
		subj, _ := m.selectedSubject()
		f.subject.SetValue(subj)
	}
	if from != nil {
		f.subject.SetValue(from.Subject)
		if !model.IsProtocolReply(from.Reply) {
			// Resent with a delivery's $JS.ACK reply, the message would
			// let its receiver ack a message of the stream.
			f.reply.SetValue(from.Reply)
		}
		f.headers.SetValue(formatHeaders(from.Header))
		f.payload.SetValue(string(from.Data))
		if from.Truncated() {
			// Sent as it is, the edit would publish a cut payload.
			f.err = fmt.Sprintf("payload cut to the kept %s of %s: sending sends only that",
				model.HumanBytes(uint64(len(from.Data))), model.HumanBytes(uint64(from.Size)))
		}
	}
	return f.focusField()
}

func (f *publishForm) focusField() tea.Cmd {
	f.subject.Blur()
	f.reply.Blur()
	f.headers.Blur()
	f.payload.Blur()
	switch f.field {
	case 0:
		return f.subject.Focus()
	case 1:
		return f.reply.Focus()
	case 2:
		return f.headers.Focus()
	default:
		return f.payload.Focus()
	}
}

// formEvent is what a key did to the form; the root acts on it.
type formEvent int

const (
	formEdited formEvent = iota
	formSend
	formCanceled
	formQuit
)

// Update edits the form: its keys move between fields, send and cancel;
// everything else (keys and pastes) goes to the focused field.
func (f *publishForm) Update(msg tea.Msg) (formEvent, tea.Cmd) {
	k := f.keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Quit):
			return formQuit, nil
		case key.Matches(kp, k.Cancel):
			return formCanceled, nil
		case key.Matches(kp, k.Next):
			f.field = (f.field + 1) % formFields
			return formEdited, f.focusField()
		case key.Matches(kp, k.Prev):
			f.field = (f.field + formFields - 1) % formFields
			return formEdited, f.focusField()
		case key.Matches(kp, k.Send):
			return formSend, nil
		case key.Matches(kp, k.NextLine) && f.field < 2:
			// Enter ends a one-line field; in headers and payload it is a newline.
			f.field++
			return formEdited, f.focusField()
		}
	}
	f.err = ""
	var cmd tea.Cmd
	switch f.field {
	case 0:
		f.subject, cmd = f.subject.Update(msg)
	case 1:
		f.reply, cmd = f.reply.Update(msg)
	case 2:
		f.headers, cmd = f.headers.Update(msg)
	default:
		f.payload, cmd = f.payload.Update(msg)
	}
	return formEdited, cmd
}

// formInput routes a key or a paste to the form and acts on the result.
func (m *Model) formInput(msg tea.Msg) tea.Cmd {
	ev, cmd := m.form.Update(msg)
	switch ev {
	case formQuit:
		return m.quit()
	case formCanceled:
		m.mode = modeBrowse
		return nil
	case formSend:
		return m.sendForm()
	}
	return cmd
}

// sendForm validates as the server would and sends; errors stay in the form.
func (m *Model) sendForm() tea.Cmd {
	f := &m.form
	subject := strings.TrimSpace(f.subject.Value())
	if err := validLiteral(subject); err != nil {
		f.err = "subject: " + err.Error()
		return nil
	}
	reply := strings.TrimSpace(f.reply.Value())
	if reply != "" && !f.request {
		if err := validLiteral(reply); err != nil {
			f.err = "reply-to: " + err.Error()
			return nil
		}
	}
	hdr, err := parseHeaders(f.headers.Value())
	if err != nil {
		f.err = "headers: " + err.Error()
		return nil
	}
	data := []byte(f.payload.Value())
	pub := m.src.(Publisher)
	m.mode = modeBrowse
	if f.request {
		return func() tea.Msg {
			resp, rtt, err := pub.Request(subject, hdr, data, RequestTimeout)
			r := requestDoneMsg{subject: subject, msg: resp, rtt: rtt}
			if err != nil {
				r.err = err.Error()
			}
			return r
		}
	}
	return func() tea.Msg {
		if err := pub.Publish(subject, reply, hdr, data); err != nil {
			return statusMsg{text: err.Error(), isErr: true}
		}
		return statusMsg{text: fmt.Sprintf("published %s to %s", model.HumanBytes(uint64(len(data))), subject)}
	}
}

// validLiteral checks a subject to publish to: valid by the server's rules
// and without wildcards.
func validLiteral(s string) error {
	p, err := model.ParsePattern(s)
	if err != nil {
		return err
	}
	if !p.Literal() {
		return errors.New("wildcards are for subscribing, not publishing")
	}
	return nil
}

// parseHeaders reads "Key: value" lines; a key may repeat.
func parseHeaders(s string) (model.Header, error) {
	var h model.Header
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("line %d: want \"Key: value\"", i+1)
		}
		if h == nil {
			h = model.Header{}
		}
		h[k] = append(h[k], strings.TrimSpace(v))
	}
	return h, nil
}

func formatHeaders(h model.Header) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// SetSize sizes the fields for a body of w×h; Update calls it, so View
// only draws.
func (f *publishForm) SetSize(w, h int) {
	fw := max(w-12, 10)
	f.subject.SetWidth(fw)
	f.reply.SetWidth(fw)
	f.headers.SetWidth(fw)
	f.payload.SetWidth(fw)
	hh := max(min(4, (h-8)/3), 1)
	f.headers.SetHeight(hh)
	f.payload.SetHeight(max(h-hh-8, 1))
}

// View draws the form in the body's place.
func (f *publishForm) View(w, h int) []string {
	st := f.st
	title := "Publish"
	if f.request {
		title = fmt.Sprintf("Request (waits %s for a reply)", RequestTimeout)
	}
	label := func(i int, s string) string {
		if f.field == i {
			return st.Accent.Bold(true).Render(fmt.Sprintf("%-10s", s))
		}
		return st.Muted.Render(fmt.Sprintf("%-10s", s))
	}
	lines := []string{st.Title.Render(title), ""}
	lines = append(lines, label(0, "subject")+" "+f.subject.View())
	if !f.request {
		lines = append(lines, label(1, "reply-to")+" "+f.reply.View())
	} else {
		lines = append(lines, label(1, "reply-to")+" "+st.Muted.Render("(an inbox natsx makes)"))
	}
	for i, l := range strings.Split(f.headers.View(), "\n") {
		lab := strings.Repeat(" ", 10)
		if i == 0 {
			lab = label(2, "headers")
		}
		lines = append(lines, lab+" "+l)
	}
	for i, l := range strings.Split(f.payload.View(), "\n") {
		lab := strings.Repeat(" ", 10)
		if i == 0 {
			lab = label(3, "payload")
		}
		lines = append(lines, lab+" "+l)
	}
	// The keys are in the footer; a refused send says why here.
	if f.err != "" {
		lines = append(lines, st.Bad.Render("✗ "+model.Sanitize(f.err)))
	}
	return block(lines, w, h)
}
