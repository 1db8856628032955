package ui

import (
	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// confirm is the footer's yes/no question before an action that removes
// something: it names what goes, y runs the action, any other key cancels
// and nothing happens. While it is asked it has the keys (see streamsKey).
type confirm struct {
	question string
	run      tea.Cmd
}

// asking tells whether a question waits for its answer.
func (c *confirm) asking() bool { return c.run != nil }

// ask puts question (plain text; the view sanitizes it) to the user; run
// is the action, started only on y.
func (c *confirm) ask(question string, run tea.Cmd) {
	c.question, c.run = question, run
}

// answer takes the key that answers the question: the action to run on
// y, nil (and the question gone) on anything else.
func (c *confirm) answer(msg tea.KeyPressMsg) tea.Cmd {
	run := c.run
	c.question, c.run = "", nil
	if msg.String() != "y" {
		return nil
	}
	return run
}

// View is the footer line while the question waits.
func (c *confirm) View(st *Styles, w int) string {
	return fit(st.Warn.Render(model.Sanitize(c.question)+"? ")+st.Muted.Render("y/N"), w)
}

// confirmKey answers the question with msg: y starts the action, anything
// else cancels it and says so.
func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	q := m.confirm.question
	cmd := m.confirm.answer(msg)
	if cmd == nil {
		m.setFlash("cancelled: nothing removed", false)
	} else {
		m.setFlash(q+"…", false) // until the result's line replaces it
	}
	return cmd
}
