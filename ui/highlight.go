package ui

import (
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// jsonLexer is chroma's JSON lexer, looked up once on first use so start-up
// does not pay for it.
var jsonLexer = sync.OnceValue(func() chroma.Lexer {
	l := lexers.Get("json")
	if l == nil {
		return nil
	}
	return chroma.Coalesce(l)
})

// highlightJSON colours pretty-printed JSON lines with chroma. The lines
// are already sanitized, so the tokens chroma returns are safe; colours come
// from the theme, not chroma's styles. Only the lines on screen are passed.
func highlightJSON(st *Styles, lines []string) []string {
	lx := jsonLexer()
	if lx == nil || len(lines) == 0 {
		return lines
	}
	src := strings.Join(lines, "\n")
	it, err := lx.Tokenise(nil, src)
	if err != nil {
		return lines
	}
	out := make([]string, 0, len(lines))
	var cur strings.Builder
	for _, tok := range it.Tokens() {
		style := jsonTokenStyle(*st, tok.Type)
		// A token may span lines (whitespace, or a string cut by wrapping).
		parts := strings.Split(tok.Value, "\n")
		for i, p := range parts {
			if i > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			if p == "" {
				continue
			}
			if style != nil {
				cur.WriteString(style.Render(p))
			} else {
				cur.WriteString(p)
			}
		}
	}
	out = append(out, cur.String())
	if len(out) != len(lines) {
		// Never lose or invent a line because of a lexer quirk.
		return lines
	}
	return out
}

func jsonTokenStyle(st Styles, t chroma.TokenType) *lipgloss.Style {
	switch {
	case t == chroma.NameTag:
		return &st.JSONKey
	case t.InCategory(chroma.LiteralString):
		return &st.JSONString
	case t.InCategory(chroma.LiteralNumber):
		return &st.JSONNumber
	case t == chroma.KeywordConstant:
		return &st.JSONLiteral
	case t == chroma.Punctuation:
		return &st.Muted
	}
	return nil
}
