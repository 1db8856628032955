package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"natsx/model"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"
)

// PaneSet is the saved set of filter panes.
type PaneSet struct {
	// Panes in display order.
	Panes []SavedPane `json:"panes"`
}

// SavedPane is one saved filter pane.
type SavedPane struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
	// Where is the pane's condition, empty when it has none.
	Where string `json:"where,omitempty"`
}

// DefaultStatePath is where :save writes the pane set: the user's config
// directory (e.g. ~/.config/natsx/panes.json).
func DefaultStatePath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "natsx", "panes.json")
}

// panesLoadedMsg carries a pane set read from disk.
type panesLoadedMsg struct {
	set     PaneSet
	err     error
	explain bool // report "nothing saved" (an explicit :load)
}

func (m *Model) currentPaneSet() PaneSet {
	var set PaneSet
	for _, p := range m.ex.Panes() {
		sp := SavedPane{Name: p.Name, Pattern: p.Pattern.String()}
		if p.Where != nil {
			sp.Where = p.Where.String()
		}
		set.Panes = append(set.Panes, sp)
	}
	return set
}

// savePanesCmd writes the pane set (IO happens in the command).
func (m *Model) savePanesCmd() tea.Cmd {
	path, set := m.opts.StatePath, m.currentPaneSet()
	return func() tea.Msg {
		if path == "" {
			return statusMsg{text: "save: no config directory", isErr: true}
		}
		b, err := json.MarshalIndent(set, "", "  ")
		if err == nil {
			err = os.MkdirAll(filepath.Dir(path), 0o700)
		}
		if err == nil {
			err = os.WriteFile(path, append(b, '\n'), 0o600)
		}
		if err != nil {
			return statusMsg{text: fmt.Sprintf("save: %v", err), isErr: true}
		}
		return statusMsg{text: fmt.Sprintf("saved %s to %s", model.Plural(len(set.Panes), "pane", "panes"), path)}
	}
}

// loadPanesCmd reads the pane set.
func (m *Model) loadPanesCmd(explain bool) tea.Cmd {
	path := m.opts.StatePath
	return func() tea.Msg {
		if path == "" {
			return panesLoadedMsg{err: errors.New("no config directory"), explain: explain}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return panesLoadedMsg{err: err, explain: explain}
		}
		var set PaneSet
		if err := json.Unmarshal(b, &set); err != nil {
			return panesLoadedMsg{err: fmt.Errorf("%s: %w", path, err), explain: explain}
		}
		return panesLoadedMsg{set: set, explain: explain}
	}
}

// applyPaneSet replaces the panes with a loaded set; invalid entries are
// skipped and reported, never fatal.
func (m *Model) applyPaneSet(msg panesLoadedMsg) tea.Cmd {
	if msg.err != nil {
		if msg.explain || !errors.Is(msg.err, fs.ErrNotExist) {
			m.setFlash("load: "+msg.err.Error(), true)
		}
		return nil
	}
	m.ex.ClearPanes()
	m.setFocus(focusTree)
	var bad int
	var cmd tea.Cmd
	for _, sp := range msg.set.Panes {
		spec := sp.Pattern
		if sp.Where != "" {
			spec += " where " + sp.Where
		}
		c, err := m.addPane(spec)
		if err != nil {
			bad++
			continue
		}
		cmd = c
		if sp.Name != "" {
			panes := m.ex.Panes()
			panes[len(panes)-1].Name = sp.Name
		}
	}
	// As at start: the tree has focus and the inspector shows its
	// selection (addPane pointed it at the last pane).
	m.setFocus(focusTree)
	m.paneIdx = 0
	text := "loaded " + model.Plural(len(m.ex.Panes()), "pane", "panes")
	if bad > 0 {
		text += fmt.Sprintf(", skipped %d invalid", bad)
	}
	m.setFlash(text, bad > 0)
	if len(m.ex.Panes()) == 0 {
		return m.syncScope()
	}
	return cmd
}
