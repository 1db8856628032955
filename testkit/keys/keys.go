// Package keys builds the key presses bubbletea v2 delivers, for the UI's
// tests and the screenshot scenes. It is apart from testkit so that those
// do not link nats-server (whose process-stats goroutine races with tests
// that pin time.Local).
package keys

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// Press is the message bubbletea v2 delivers for a key named as a
// key.Binding names it ("j", "enter", "shift+tab", "ctrl+c"): printable
// keys carry Text, special keys only a Code, so String() is what bubbles/key
// matches. The UI's tests and the screenshot scenes drive the real model
// with it. It panics on a name it does not know: a typo in a test must not
// turn into a key nobody binds.
func Press(name string) tea.KeyPressMsg {
	switch name {
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "delete":
		return tea.KeyPressMsg{Code: tea.KeyDelete}
	}
	if c, ok := strings.CutPrefix(name, "ctrl+"); ok && len([]rune(c)) == 1 {
		return tea.KeyPressMsg{Code: []rune(c)[0], Mod: tea.ModCtrl}
	}
	r := []rune(name)
	if len(r) != 1 {
		panic("keys: unknown key " + name)
	}
	return tea.KeyPressMsg{Code: r[0], Text: name}
}
