package ui

import (
	"fmt"
	"strings"
)

// KeyTable renders the key map as the Markdown table in the README, so the
// README's keys come from the same place as the help screen.
func KeyTable() string {
	var b strings.Builder
	b.WriteString("| key | action |\n|---|---|\n")
	for _, col := range DefaultKeyMap().FullHelp() {
		for _, k := range col {
			keys := make([]string, 0, len(k.Keys()))
			for _, s := range k.Keys() {
				keys = append(keys, "`"+s+"`")
			}
			fmt.Fprintf(&b, "| %s | %s |\n", strings.Join(keys, " "), k.Help().Desc)
		}
	}
	return b.String()
}
