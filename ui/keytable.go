package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyTable renders the key map as the Markdown tables in the README: the
// explorer's keys, then what changes in `natsx open` (TimelineKeyMap), so
// the README's keys come from the same place as the help screen.
func KeyTable() string {
	var b strings.Builder
	row := func(k key.Binding, desc string) {
		keys := make([]string, 0, len(k.Keys()))
		for _, s := range k.Keys() {
			keys = append(keys, "`"+s+"`")
		}
		fmt.Fprintf(&b, "| %s | %s |\n", strings.Join(keys, " "), desc)
	}
	b.WriteString("| key | action |\n|---|---|\n")
	live := DefaultKeyMap().Groups()
	for _, g := range live {
		head := false
		for _, k := range g.Keys {
			if !k.Enabled() {
				continue
			}
			if !head {
				fmt.Fprintf(&b, "| **%s** | |\n", g.Title)
				head = true
			}
			row(k, k.Help().Desc)
		}
	}
	b.WriteString("\nIn `natsx open FILE` the timeline takes some keys and the explorer's move:\n\n")
	b.WriteString("| key | action |\n|---|---|\n")
	for i, g := range TimelineKeyMap(DefaultKeyMap()).Groups() {
		for j, k := range g.Keys {
			was := live[i].Keys[j]
			switch {
			case k.Enabled() && (!was.Enabled() || !slices.Equal(k.Keys(), was.Keys())):
				row(k, k.Help().Desc)
			case !k.Enabled() && was.Enabled():
				row(was, "off: "+was.Help().Desc+" (the timeline uses the key)")
			}
		}
	}
	b.WriteString("\nWhile an input is open, its keys are these (every other key types; `ctrl+c` still quits):\n\n")
	b.WriteString("| key | action |\n|---|---|\n")
	for _, col := range InputHelp() {
		for _, k := range col {
			row(k, k.Help().Desc)
		}
	}
	return b.String()
}
