package cli

import (
	"strings"
	"testing"
)

// TestRootHelpListsExplorerFlags: the first help a user sees (natsx --help)
// names the explorer's flags, not only the subcommands; a command's own
// help stays kong's.
func TestRootHelpListsExplorerFlags(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}} {
		out := runOK(t, args...)
		flags, cmds, ok := strings.Cut(out, "\nCommands:")
		if !ok {
			t.Fatalf("natsx %s: no command list:\n%s", args[0], out)
		}
		for _, f := range []string{"-s, --server=URL", "--context=", "-f, --filter=", "--read-only", "--max-memory=", "Explorer flags"} {
			if !strings.Contains(flags, f) {
				t.Errorf("natsx %s does not show %q before the commands:\n%s", args[0], f, out)
			}
		}
		if strings.Count(out, "--help") != 2 || strings.Count(out, "--version") != 1 {
			t.Errorf("natsx %s repeats the global flags:\n%s", args[0], out)
		}
		if !strings.Contains(cmds, "tree ") || !strings.Contains(cmds, "record ") {
			t.Errorf("natsx %s lost the commands:\n%s", args[0], out)
		}
	}
	tree := runOK(t, "tree", "--help")
	if strings.Contains(tree, "Explorer flags") || !strings.Contains(tree, "Usage: natsx tree") {
		t.Errorf("natsx tree --help:\n%s", tree)
	}
}
