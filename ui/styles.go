package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is every style natsx draws with, built from one small theme so no
// pane hard-codes a colour.
type Styles struct {
	App, Title, Muted, Accent, Good, Warn, Bad lipgloss.Style
	Header, Footer, Border, PaneTitle          lipgloss.Style
	Selected, SelectedBlur, Match              lipgloss.Style
	Spark, Key, Value, JSONKey                 lipgloss.Style
	// JSON syntax colours, and the diff marks.
	JSONString, JSONNumber, JSONLiteral lipgloss.Style
	DiffAdd, DiffDel, DiffChange        lipgloss.Style
	// Help styles the footer hints and the help screen.
	Help help.Styles
	// Panes are the filter panes' colours, also used for their tree markers.
	Panes []lipgloss.Style
}

// DefaultStyles returns styles for a dark or light terminal background.
func DefaultStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	fg := ld(lipgloss.Color("#1f2328"), lipgloss.Color("#e6edf3"))
	muted := ld(lipgloss.Color("#6e7781"), lipgloss.Color("#8b949e"))
	accent := ld(lipgloss.Color("#0969da"), lipgloss.Color("#58a6ff"))
	good := ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#3fb950"))
	warn := ld(lipgloss.Color("#9a6700"), lipgloss.Color("#d29922"))
	bad := ld(lipgloss.Color("#cf222e"), lipgloss.Color("#f85149"))
	selBg := ld(lipgloss.Color("#ddf4ff"), lipgloss.Color("#1f3a5f"))
	blurBg := ld(lipgloss.Color("#eaeef2"), lipgloss.Color("#30363d"))
	border := ld(lipgloss.Color("#d0d7de"), lipgloss.Color("#30363d"))
	return Styles{
		App:          lipgloss.NewStyle().Foreground(fg),
		Title:        lipgloss.NewStyle().Bold(true).Foreground(accent),
		Muted:        lipgloss.NewStyle().Foreground(muted),
		Accent:       lipgloss.NewStyle().Foreground(accent),
		Good:         lipgloss.NewStyle().Foreground(good),
		Warn:         lipgloss.NewStyle().Foreground(warn),
		Bad:          lipgloss.NewStyle().Foreground(bad).Bold(true),
		Header:       lipgloss.NewStyle().Foreground(fg),
		Footer:       lipgloss.NewStyle().Foreground(muted),
		Border:       lipgloss.NewStyle().Foreground(border),
		PaneTitle:    lipgloss.NewStyle().Bold(true).Foreground(fg),
		Selected:     lipgloss.NewStyle().Background(selBg).Foreground(fg).Bold(true),
		SelectedBlur: lipgloss.NewStyle().Background(blurBg).Foreground(fg),
		Match:        lipgloss.NewStyle().Underline(true).Foreground(warn),
		Spark:        lipgloss.NewStyle().Foreground(good),
		Key:          lipgloss.NewStyle().Foreground(muted),
		Value:        lipgloss.NewStyle().Foreground(fg),
		JSONKey:      lipgloss.NewStyle().Foreground(accent),
		JSONString:   lipgloss.NewStyle().Foreground(good),
		JSONNumber:   lipgloss.NewStyle().Foreground(warn),
		JSONLiteral:  lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#8250df"), lipgloss.Color("#d2a8ff"))),
		DiffAdd:      lipgloss.NewStyle().Foreground(good),
		DiffDel:      lipgloss.NewStyle().Foreground(bad),
		DiffChange:   lipgloss.NewStyle().Foreground(warn),
		Panes: []lipgloss.Style{
			lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#8250df"), lipgloss.Color("#d2a8ff"))),
			lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#bc4c00"), lipgloss.Color("#ffa657"))),
			lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#0a7e8c"), lipgloss.Color("#56d4dd"))),
			lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#bf3989"), lipgloss.Color("#ff7b72"))),
			lipgloss.NewStyle().Foreground(good),
			lipgloss.NewStyle().Foreground(warn),
		},
		Help: help.Styles{
			ShortKey:       lipgloss.NewStyle().Foreground(accent),
			ShortDesc:      lipgloss.NewStyle().Foreground(muted),
			ShortSeparator: lipgloss.NewStyle().Foreground(border),
			Ellipsis:       lipgloss.NewStyle().Foreground(border),
			FullKey:        lipgloss.NewStyle().Foreground(accent).Bold(true),
			FullDesc:       lipgloss.NewStyle().Foreground(fg),
			FullSeparator:  lipgloss.NewStyle().Foreground(border),
		},
	}
}
