// Package where is natsx's message filter language: an expression over one
// message (its subject and tokens, headers, reply, size, time and payload)
// that is true for the messages to keep, as in
//
//	.total > 1000 && header("X-Tenant") == "acme"
//
// The language is github.com/expr-lang/expr (the one rabtap filters with):
// a maintained, sandboxed, statically checked language with no loops of its
// own, compiled once to bytecode, so a filter costs a few hundred ns per
// message when it reads no payload. It lives outside model because model
// uses the standard library only; model sees a compiled filter through its
// small model.Condition interface, and ui, the headless commands and the
// player share this one implementation.
//
// What natsx adds to expr, by rewriting the checked syntax tree expr's own
// parser builds (no parser of ours):
//   - ".total" and ".a.b" read the JSON payload's fields at the top level,
//     as they do inside expr's predicates; the payload is parsed only when
//     the expression reads it, once per message;
//   - a field that is not there, or a payload that is not JSON, is a miss:
//     no match, counted, with the reason kept (expr alone would read nil);
//   - a budget per evaluation bounds what a hostile expression can cost:
//     iterations over collections, the size of built strings, expr's own
//     memory budget for ranges, arrays and maps, and the builtins that
//     multiply sizes (repeat, replace, join, concat) are left out.
package where

import (
	"errors"
	"fmt"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"natsx/model"
)

// Bounds of one expression and of one evaluation.
const (
	// MaxSource is the longest expression accepted, in bytes.
	MaxSource = 4096
	// MaxNodes bounds the expression's syntax tree (expr's MaxNodes).
	MaxNodes = 500
	// MaxIterations bounds the elements all predicates (all, any, map,
	// filter, count…) visit in one evaluation, nested loops included.
	MaxIterations = 10000
	// MaxString bounds a string built by "+" in one evaluation.
	MaxString = 1 << 20
	// memoryBudget is expr's own budget for ranges, arrays and maps built
	// in one evaluation (in elements).
	memoryBudget = 100000
)

// excluded are expr's builtins that build values larger than their input
// (a few nested in let bindings double a string or an array each time)
// and so would escape the per-evaluation bounds.
var excluded = []string{"repeat", "replace", "join", "concat"}

// Names natsx's rewrite calls; a user can call them too, harmlessly.
const (
	fnField = "_field" // the payload field at a path; a miss when absent
	fnLoop  = "_loop"  // charges a predicate's collection to the budget
	fnAdd   = "_add"   // "+" with the string size bounded
)

// prefix puts the expression in a predicate so that expr's parser reads
// ".total" as it does inside one ("#.total"); the expression starts on the
// second line, so an error's line is one less and its column unchanged.
const (
	prefix = "[0] | all(\n"
	suffix = "\n)"
)

// Error is a compile error with its place in the expression (1-based).
type Error struct {
	Line, Column int
	Msg          string
}

// Error reads "line 1, column 12: unexpected token …".
func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// compiled is what Compile makes once and every evaluation shares.
type compiled struct {
	src     string
	program *vm.Program
	// uses says which parts of the message the expression reads, so an
	// evaluation fills only those (the payload is parsed on demand).
	usesTokens, usesText, usesPayload, usesTime bool
}

// Compile checks and compiles an expression; the error of a malformed one
// is an *Error with its line and column.
func Compile(src string) (f *Filter, err error) {
	defer func() {
		// The expression comes from a prompt, a flag or a saved file: a
		// bug in expr or in the rewrite must refuse it, not end natsx.
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("expression refused: %v", r)
		}
	}()
	src = strings.TrimSpace(src)
	switch {
	case src == "":
		return nil, errors.New("empty expression")
	case len(src) > MaxSource:
		return nil, fmt.Errorf("expression longer than %d bytes", MaxSource)
	}
	f = &Filter{}
	cfg := f.config()
	wrapped := prefix + src + suffix
	tree, err := parser.ParseWithConfig(wrapped, cfg)
	if err != nil {
		return nil, position(err, src)
	}
	body, ok := predicateBody(tree.Node, len(prefix), len(prefix)+len(src))
	if !ok {
		// The expression closed the predicate it was put in ("x) || (y").
		return nil, &Error{Line: 1, Column: 1, Msg: "unbalanced parentheses"}
	}
	c := &compiled{src: src}
	if err := c.rewrite(&body); err != nil {
		return nil, err
	}
	tree.Node = body
	if _, err := checker.Check(tree, cfg); err != nil {
		return nil, position(err, src)
	}
	if err := optimizer.Optimize(&tree.Node, cfg); err != nil {
		return nil, position(err, src)
	}
	if c.program, err = compiler.Compile(tree, cfg); err != nil {
		return nil, position(err, src)
	}
	f.c = c
	f.vm.MemoryBudget = memoryBudget
	return f, nil
}

// MustCompile is Compile for expressions known to be valid (tests).
func MustCompile(src string) *Filter {
	f, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return f
}

// config is expr's configuration for f: the message environment, the
// header function and natsx's rewrite functions bound to f's evaluation
// state, the node bound and the builtins left out.
func (f *Filter) config() *conf.Config {
	cfg := conf.CreateNew()
	opts := []expr.Option{
		expr.Env(env{}),
		expr.MaxNodes(MaxNodes),
		expr.Function("header", f.header, new(func(string) string)),
		expr.Function(fnField, f.field),
		expr.Function(fnLoop, f.loop),
		expr.Function(fnAdd, f.add),
	}
	for _, b := range excluded {
		opts = append(opts, expr.DisableBuiltin(b))
	}
	for _, o := range opts {
		o(cfg)
	}
	for name := range cfg.Disabled {
		delete(cfg.Builtins, name)
	}
	cfg.Check()
	return cfg
}

// predicateBody is the expression inside the wrapper, when the tree is
// still exactly the wrapper around it.
func predicateBody(root ast.Node, from, to int) (ast.Node, bool) {
	b, ok := root.(*ast.BuiltinNode)
	if !ok || b.Name != "all" || len(b.Arguments) != 2 {
		return nil, false
	}
	arr, ok := b.Arguments[0].(*ast.ArrayNode)
	if !ok || len(arr.Nodes) != 1 || arr.Location().From != 0 {
		return nil, false
	}
	p, ok := b.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return nil, false
	}
	if loc := p.Node.Location(); loc.From < from || loc.To > to {
		return nil, false
	}
	return p.Node, true
}

// position turns expr's error into an *Error placed in src: the wrapper
// adds one line before it; an error at the wrapper's closing line (an
// unclosed parenthesis) is placed at the end of the expression.
func position(err error, src string) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return err
	}
	lines := strings.Split(src, "\n")
	line, col := fe.Line-1, fe.Column+1
	if line < 1 {
		line, col = 1, 1
	}
	msg := fe.Message
	if line > len(lines) {
		// At the wrapper's closing line: the expression ended too soon, and
		// the token expr names there is the wrapper's, not the user's.
		line = len(lines)
		col = len([]rune(lines[line-1])) + 1
		if strings.HasPrefix(msg, "unexpected token") {
			msg = "unexpected end of the expression"
		}
	}
	return &Error{Line: line, Column: col, Msg: msg}
}

// rewrite turns the payload's reads into calls natsx evaluates: the top
// level's "#" and ".a.b" (expr's pointer to the predicate's element) and
// "payload.a.b" become the payload and _field("a", "b"); every predicate's
// collection is charged to the budget; "+" bounds the strings it builds.
// It also notes which parts of the message the expression reads.
func (c *compiled) rewrite(root *ast.Node) error {
	// Pointers inside the expression's own predicates name their elements,
	// not the payload: find them first.
	inner := map[*ast.PointerNode]bool{}
	var err error
	ast.Walk(root, visit(func(n *ast.Node) {
		if p, ok := (*n).(*ast.PredicateNode); ok {
			ast.Walk(&p.Node, visit(func(n *ast.Node) {
				if q, ok := (*n).(*ast.PointerNode); ok {
					inner[q] = true
				}
			}))
		}
	}))
	// Walk visits children before their parent, so a chain's base is the
	// payload by the time its member nodes are seen.
	ast.Walk(root, visit(func(n *ast.Node) {
		switch v := (*n).(type) {
		case *ast.PointerNode:
			if inner[v] {
				return
			}
			if v.Name != "" && err == nil {
				loc := v.Location()
				err = &Error{Line: 1, Column: loc.From - len(prefix) + 1, Msg: fmt.Sprintf("#%s outside a predicate", v.Name)}
			}
			ast.Patch(n, &ast.IdentifierNode{Value: "payload"})
			c.usesPayload = true
		case *ast.IdentifierNode:
			switch v.Value {
			case "payload":
				c.usesPayload = true
			case "tokens":
				c.usesTokens = true
			case "text":
				c.usesText = true
			case "time":
				c.usesTime = true
			}
		case *ast.MemberNode:
			if v.Method {
				return
			}
			// payload.a → _field("a"); _field("a").b → _field("a", "b").
			var path []ast.Node
			switch base := v.Node.(type) {
			case *ast.IdentifierNode:
				if base.Value != "payload" {
					return
				}
			case *ast.CallNode:
				if id, ok := base.Callee.(*ast.IdentifierNode); !ok || id.Value != fnField || v.Optional {
					return
				}
				path = base.Arguments
			default:
				return
			}
			ast.Patch(n, &ast.CallNode{Callee: &ast.IdentifierNode{Value: fnField},
				Arguments: append(path[:len(path):len(path)], v.Property)})
		case *ast.BuiltinNode:
			if len(v.Arguments) > 1 {
				if _, ok := v.Arguments[1].(*ast.PredicateNode); ok {
					coll := v.Arguments[0]
					v.Arguments[0] = &ast.CallNode{Callee: &ast.IdentifierNode{Value: fnLoop}, Arguments: []ast.Node{coll}}
					v.Arguments[0].SetLocation(coll.Location())
				}
			}
		case *ast.BinaryNode:
			if v.Operator == "+" {
				ast.Patch(n, &ast.CallNode{Callee: &ast.IdentifierNode{Value: fnAdd}, Arguments: []ast.Node{v.Left, v.Right}})
			}
		}
	}))
	return err
}

// visit adapts a function to ast.Visitor.
type visit func(*ast.Node)

func (f visit) Visit(n *ast.Node) { f(n) }

// ParseFilter reads a pane's selection, "PATTERN" or "PATTERN where EXPR":
// the subject pattern (no whitespace in it) and, when given, the compiled
// condition (nil without one). Errors name the part at fault.
func ParseFilter(s string) (model.Pattern, *Filter, error) {
	pat, rest := cutSpace(strings.TrimSpace(s))
	p, err := model.ParsePattern(pat)
	if err != nil {
		return model.Pattern{}, nil, err
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return p, nil, nil
	}
	kw, src := cutSpace(rest)
	if kw != "where" {
		return model.Pattern{}, nil, fmt.Errorf("after the pattern %q: want \"where EXPRESSION\", not %q", model.Sanitize(pat), model.Sanitize(kw))
	}
	f, err := Compile(src)
	if err != nil {
		return model.Pattern{}, nil, fmt.Errorf("where: %w", err)
	}
	return p, f, nil
}

// cutSpace splits s at its first white space.
func cutSpace(s string) (before, after string) {
	if i := strings.IndexAny(s, " \t\r\n\f"); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}
