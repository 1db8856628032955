package cli

import (
	"bytes"
	"strings"

	"github.com/alecthomas/kong"
)

// help is kong's help, except that `natsx --help` also lists the
// explorer's flags: the explorer (run) is the default command, and its
// flags (-s, --context, -f, --read-only …) are what a user looks for
// first, as `k9s --help` and `nats --help` show theirs on the first page.
func help(options kong.HelpOptions, ctx *kong.Context) error {
	if ctx.Selected() != nil {
		return kong.DefaultHelpPrinter(options, ctx)
	}
	out := ctx.Stdout
	defer func() { ctx.Stdout = out }()
	var root bytes.Buffer
	ctx.Stdout = &root
	if err := kong.DefaultHelpPrinter(options, ctx); err != nil {
		return err
	}
	run, err := kong.Trace(ctx.Kong, []string{"run"})
	if err != nil || run.Selected() == nil {
		_, werr := out.Write(root.Bytes())
		return werr
	}
	var sub bytes.Buffer
	run.Stdout = &sub
	if err := kong.DefaultHelpPrinter(options, run); err != nil {
		return err
	}
	flags := explorerFlags(sub.String())
	text := root.String()
	// The explorer's flags go after the global ones, before the commands.
	if i := strings.Index(text, "\nCommands:"); i >= 0 && flags != "" {
		text = text[:i] + "\nExplorer flags (natsx [run] [flags]: run is the default command):\n" + flags + text[i:]
	}
	text = strings.Replace(text, "Usage: natsx <command> [flags]", "Usage: natsx [<command>] [flags]", 1)
	_, err = out.Write([]byte(text))
	return err
}

// explorerFlags is the flag list of run's help, without the global flags
// (-h, --version) the root help already shows.
func explorerFlags(runHelp string) string {
	_, rest, ok := strings.Cut(runHelp, "\nFlags:\n")
	if !ok {
		return ""
	}
	var b strings.Builder
	skipping := false
	for _, line := range strings.Split(rest, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed != "" && !strings.HasPrefix(line, " ") {
			break // the next section
		}
		if strings.HasPrefix(trimmed, "-") {
			skipping = strings.HasPrefix(trimmed, "-h, --help") || strings.HasPrefix(trimmed, "--version")
		}
		if skipping || (trimmed == "" && b.Len() == 0) {
			continue
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}
