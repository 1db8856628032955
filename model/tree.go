package model

import (
	"slices"
	"strings"
	"unsafe"
)

// TreeOptions bound the tree's memory.
type TreeOptions struct {
	// MaxMemory is the budget, in bytes, for nodes and kept messages.
	MaxMemory int64
	// HistoryDepth is how many recent messages each subject keeps.
	HistoryDepth int
	// MaxPayload caps the payload bytes kept per message.
	MaxPayload int
}

// KeptPayload is the most payload bytes the tree and the panes keep of a
// message for display; the size line says when a payload was cut.
const KeptPayload = 64 << 10

// DefaultTreeOptions is 256 MiB, 16 messages per subject, 64 KiB payloads.
func DefaultTreeOptions() TreeOptions {
	return TreeOptions{MaxMemory: 256 << 20, HistoryDepth: 16, MaxPayload: KeptPayload}
}

// freeRoots is how many root slots are part of an empty tree's fixed
// overhead, with the index's and the leaf cache's first allocations,
// outside the budget, so a tiny budget still holds a few nodes.
const freeRoots = 64

// rootID is the tree's root node: the parent of the root tokens, never a
// subject itself. Id 0 doubles as "no node" (no child has it).
const rootID = 0

// Tree is the live subject tree: counts, bytes, rates and recent messages
// per subject, bounded by a memory budget.
//
// Its nodes, branches, names and kept payloads live in slabs of plain
// values that refer to each other by 32-bit indices (see node, branch,
// byteSlab), as nats-server's stree and fastcache keep theirs: the GC's
// work does not grow with the number of subjects. Callers outside the tree
// hold Node handles, which know when their node was removed.
type Tree struct {
	opts TreeOptions

	nodes    nodeSlab
	branches branchSlab
	names    byteSlab // names longer than nameInline
	index    childIndex
	since    int64 // when observation began (Unix ns)

	// Totals over everything applied.
	Msgs, Bytes uint64
	// Deliveries counts the messages among Msgs that a JetStream consumer
	// delivered (a $JS.ACK reply, see ParseJSDelivery): each is also
	// counted on its subject, as its publish was.
	Deliveries uint64
	// Evicted counts kept messages dropped to stay within the budget; the
	// counts and rates still include them.
	Evicted uint64
	// Pruned counts idle subjects removed to stay within the budget; their
	// counts stay in their parents' totals.
	Pruned uint64

	extra    int64 // bytes of the orders' capacity (the roots' first freeRoots excepted)
	subjects int   // nodes with messages of their own: what the leaf cache caches
	kept     int64 // bytes of kept messages
	hists    histSlab
	payloads payloadSlab // the kept messages' payloads
	rings    payloadSlab // histories' slots past the first
	// extras are kept messages' replies, headers and Via (few have any),
	// by index; extrasFree lists the free entries.
	extras     []keptExtra
	extrasFree []uint32
	// hot holds the rate counts of nodes too busy for uint16 ones (see
	// rateAdd); hotFree lists its free entries.
	hot       []rateCounts
	hotFree   []uint32
	subjBuf   []byte // scratch for a pruned leaf's subject
	evictor   evictor
	structure uint64 // bumped whenever nodes are added or removed
	maxNodes  int
	leaves    leafCache
	hints     hints // the block being applied's; see prefetch
	// lastParent is the last walked subject's parent: its path (a copy)
	// and id, and Pruned then; see walk.
	lastParent struct {
		prefix []byte
		id     uint32
		pruned uint64
	}
	reserved int64 // the budget others (filter panes) hold; see Reserve
	pruner   pruner
	// pinned is how many removed nodes the orders still hold (the sum of
	// their gone): their slots are not reused until compacted.
	pinned int
}

// NewTree returns an empty tree that began observing at since (Unix ns).
func NewTree(o TreeOptions, since int64) *Tree {
	d := DefaultTreeOptions()
	if o.MaxMemory <= 0 {
		o.MaxMemory = d.MaxMemory
	}
	if o.HistoryDepth <= 0 {
		o.HistoryDepth = d.HistoryDepth
	}
	if o.MaxPayload <= 0 {
		o.MaxPayload = d.MaxPayload
	}
	o.HistoryDepth = min(o.HistoryDepth, maxHistoryDepth)
	// Nodes may take up to 3/4 of the budget; messages get the rest and
	// whatever the nodes leave unused. A node costs its slot and, around
	// it, about 24 bytes of index, order and leaf cache.
	maxNodes := int(o.MaxMemory / int64(nodeCost+24) * 3 / 4)
	if maxNodes < 1024 {
		maxNodes = 1024
	}
	// The leaf cache takes at most 1/64 of the budget (4 MiB of 256).
	leafBuckets := uint64(minLeafBuckets)
	for leafBuckets*4*2*uint64(leafSlotSize) <= uint64(o.MaxMemory)/64 && leafBuckets*4 <= maxLeafBuckets {
		leafBuckets *= 4
	}
	t := &Tree{opts: o, since: since, maxNodes: maxNodes, leaves: newLeafCache(leafBuckets), index: newChildIndex(),
		names: newByteSlab()}
	t.nodes.alloc() // the root
	t.nodes.live = 0
	t.nodes.at(rootID).branch = t.branches.alloc()
	return t
}

// Since is when observation began, Unix ns.
func (t *Tree) Since() int64 { return t.since }

// Len is the number of nodes in the tree: every token of every path,
// which is more than the subjects seen (see Subjects).
func (t *Tree) Len() int { return t.nodes.live }

// Subjects is the number of subjects the tree holds: nodes that received a
// message on exactly their subject (leaves, and inner nodes with Own > 0).
// a.b.c, a.b.d and e.f.g are 3 subjects over 7 nodes. Kept as messages
// arrive and nodes are pruned, so the header can show it every frame.
func (t *Tree) Subjects() int { return t.subjects }

// Structure changes whenever nodes are added or removed, so views know when
// to rebuild their rows.
func (t *Tree) Structure() uint64 { return t.structure }

// Roots returns the root tokens in display order (compacted as Children
// is).
func (t *Tree) Roots() []Node { return t.handles(t.children(rootID)) }

// Nodes returns every node, depth first in no particular sibling order,
// in a new slice: the tree keeps no list of its nodes, so this walks it,
// for tools and tests rather than every frame.
func (t *Tree) Nodes() []Node {
	out := make([]Node, 0, t.nodes.live)
	t.each(func(id uint32) { out = append(out, t.handle(id)) })
	return out
}

// handles returns a handle per id.
func (t *Tree) handles(ids []uint32) []Node {
	if len(ids) == 0 {
		return nil
	}
	out := make([]Node, len(ids))
	for i, id := range ids {
		out[i] = t.handle(id)
	}
	return out
}

// each calls f on every node, parents before children, with an explicit
// stack: a 10,000-token subject must not recurse 10,000 frames deep.
func (t *Tree) each(f func(id uint32)) {
	stack := append([]uint32(nil), t.order(rootID)...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if t.nodes.at(id).has(flagRemoved) { // pruned, not compacted out of its order yet
			continue
		}
		f(id)
		stack = append(stack, t.order(id)...)
	}
}

// Reserve tells the tree that n bytes of its budget are held elsewhere
// (the filter panes' kept messages), so the next messages it keeps evict
// its own oldest until the two together fit the budget again.
func (t *Tree) Reserve(n int64) { t.reserved = max(n, 0) }

// MemoryUsed is the bytes the tree holds against its budget, as the Go
// heap holds them: its node slots (free ones too), long names (and the
// name slab's free spans), branches, child index, leaf cache, kept
// messages and the payload slab's slack (TestTreeBudgetIsTheHeap checks
// it against the heap).
func (t *Tree) MemoryUsed() int64 {
	return t.structureBytes() + t.kept + t.payloadSlack() + t.extrasSlack()
}

// structureBytes is MemoryUsed without the kept messages.
func (t *Tree) structureBytes() int64 {
	root := int64(max(cap(t.branches.at(t.nodes.at(rootID).branch).order)-freeRoots, 0)) * 4
	return int64(t.nodes.held()-1)*int64(nodeCost) + t.branches.bytes() + t.extra + root +
		t.names.heldBytes() + t.index.bytes() + t.leaves.bytes() + t.hotBytes()
}

// Apply accounts one message: counters, bytes and rates on every node of its
// path, and keeps a copy in the subject's history. No allocation for a
// subject already seen.
func (t *Tree) Apply(m *Message) { t.apply(m, m.WireBytes(), deliveryCount(m.Reply)) }

// apply is Apply with the message's wire size and delivery count (see
// deliveryCount), which the explorer works out once for the tree, the
// throughput and the panes.
func (t *Tree) apply(m *Message, wireBytes int, dlv uint64) {
	wire := uint64(wireBytes)
	t.Msgs++
	t.Bytes += wire
	if dlv > 0 {
		t.Deliveries++
	}
	sec := m.Received / 1e9

	subj := m.Subject
	// A subject seen recently: its node and the parent links replace one
	// index lookup per token (most of the cost of a message at high rates).
	var leaf uint32
	if t.leaves.use() {
		var h uint64
		if lh, ok := t.leafHint(); ok {
			leaf, h = t.getLeafHashed(subj, lh)
		} else {
			leaf, h = t.getLeaf(subj)
		}
		if leaf == 0 {
			leaf = t.walk(subj)
			t.leaves.put(h, leaf, t.subjects)
		}
	} else if id, ok := t.hinted(subj); ok {
		leaf = id
	} else {
		leaf = t.walk(subj)
	}
	for id := leaf; id != rootID; {
		n := t.nodes.at(id)
		n.msgs++
		n.bytes += wire
		t.rateAdd(n, sec) // before lastSeen moves: it is the rate's newest second
		if m.Received > n.lastSeen {
			n.lastSeen = m.Received
		}
		id = n.parent
	}
	n := t.nodes.at(leaf)
	if n.branch == 0 {
		// A leaf's own messages are its msgs, counted above.
		if n.msgs == 1 {
			t.subjects++
		}
	} else {
		b := t.branches.at(n.branch)
		if b.own++; b.own == 1 {
			t.subjects++
		}
	}
	t.keep(leaf, m)
}

// walk finds or creates the nodes of subj's path, token by token, and
// returns the last. When subj's parent is the last walked subject's
// (siblings often come in a row: a flood of new subjects ten to a parent,
// a device's readings), it looks up the last token only, under that
// parent. A prune since voids the parent (it may be gone).
func (t *Tree) walk(subj string) uint32 {
	cut := strings.LastIndexByte(subj, '.')
	if prefix, id, ok := t.lastParentOf(); ok && cut >= 0 && prefix == subj[:cut] {
		tok := subj[cut+1:]
		return t.child(id, tok, t.index.hash(id, tok))
	}
	var parent uint32 = rootID
	for rest, more := subj, true; more; {
		var tok string
		tok, rest, more = cutToken(rest)
		parent = t.child(parent, tok, t.index.hash(parent, tok))
	}
	if lp := &t.lastParent; cut >= 0 {
		lp.prefix = append(lp.prefix[:0], subj[:cut]...)
		lp.id, lp.pruned = t.nodes.at(parent).parent, t.Pruned
	}
	return parent
}

// lastParentOf is the last walked subject's parent, its path and id, if
// no prune since may have removed it. The path is a view of the kept
// copy: valid until the next walk.
func (t *Tree) lastParentOf() (prefix string, id uint32, ok bool) {
	lp := &t.lastParent
	if lp.id == 0 || lp.pruned != t.Pruned {
		return "", 0, false
	}
	return unsafe.String(unsafe.SliceData(lp.prefix), len(lp.prefix)), lp.id, true
}

// child returns parent's child named tok, made if there is none; h is the
// child index's hash of (parent, tok), worked out once for both.
func (t *Tree) child(parent uint32, tok string, h uint32) uint32 {
	if id := t.findChildHashed(parent, tok, h); id != 0 {
		return id
	}
	return t.add(parent, tok, h)
}

// add creates the child of parent named tok, whose hash in the child
// index is hash.
func (t *Tree) add(parent uint32, tok string, hash uint32) uint32 {
	id := t.nodes.alloc()
	n := t.nodes.at(id)
	n.parent = parent
	t.setName(n, tok)
	p := t.nodes.at(parent)
	if parent == rootID {
		n.set(flagNoise, tok == "_INBOX" || strings.HasPrefix(tok, "$"))
	} else {
		n.set(flagNoise, p.has(flagNoise))
	}
	if p.branch == 0 {
		p.branch = t.branches.alloc()
		// Its messages so far were all its own.
		t.branches.at(p.branch).own = p.msgs
	}
	b := t.branches.at(p.branch)
	c := cap(b.order)
	b.order = append(b.order, id)
	if parent != rootID {
		t.extra += int64(cap(b.order)-c) * 4
	}
	b.dirty = true
	t.index.insert(id, hash)
	t.structure++
	// Prune at the node bound, or when the structure alone takes 3/4 of
	// the budget (deep subjects cost more than a node each): a bounded
	// step, so no message pays for the whole tree (see prune).
	if t.overBound() {
		t.prune(id)
	}
	return id
}

// setName stores tok as n's name: inline when it fits, else a copy in the
// name slab (only the token: the path is the parents').
func (t *Tree) setName(n *node, tok string) {
	n.meta = n.meta&^nameLenMask | uint32(len(tok))&nameLenMask
	if len(tok) <= nameInline {
		copy(n.name[:], tok)
		return
	}
	span := t.names.alloc(len(tok))
	copy(t.names.bytes(span, len(tok)), tok)
	*(*uint64)(unsafe.Pointer(&n.name)) = span
}

// freeName gives a removed node's long name back to the name slab.
func (t *Tree) freeName(n *node) {
	if l := n.nameLen(); l > nameInline {
		t.names.release(n.span(), l)
	}
}

// name is n's name, read in place: valid until n's slot is reused, so
// callers compare or copy it, never keep it.
func (t *Tree) name(n *node) string {
	l := n.nameLen()
	if l <= nameInline {
		return unsafe.String(&n.name[0], l)
	}
	b := t.names.bytes(n.span(), l)
	return unsafe.String(unsafe.SliceData(b), l)
}

// Find returns the node for an exact subject, or the zero Node.
func (t *Tree) Find(subject string) Node { return t.handle(t.find(subject)) }

// find is Find by id, 0 when absent.
func (t *Tree) find(subject string) uint32 {
	var id uint32 = rootID
	for rest, more := subject, true; more; {
		var tok string
		tok, rest, more = cutToken(rest)
		if id = t.findChild(id, tok); id == 0 {
			return 0
		}
	}
	return id
}

// subject is the full dotted path from the root to id, built from the
// names on the path: nodes do not keep it, so a 10,000-token subject costs
// 10,000 tokens, not 10,000 prefixes of itself.
func (t *Tree) subject(id uint32) string {
	b := t.appendSubject(nil, id)
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is never written again
}

// appendSubject appends id's subject to dst.
func (t *Tree) appendSubject(dst []byte, id uint32) []byte {
	size := -1
	for p := id; p != rootID; {
		n := t.nodes.at(p)
		size += n.nameLen() + 1
		p = n.parent
	}
	if size < 0 {
		return dst
	}
	dst = slices.Grow(dst, size)
	b := dst[len(dst) : len(dst)+size]
	total := size
	for p := id; p != rootID; {
		n := t.nodes.at(p)
		name := t.name(n)
		size -= len(name)
		copy(b[size:], name)
		if size > 0 {
			size--
			b[size] = '.'
		}
		p = n.parent
	}
	return dst[:len(dst)+total]
}

// is reports whether id's subject is subj, without building it.
func (t *Tree) is(id uint32, subj string) bool {
	for p := id; p != rootID; {
		n := t.nodes.at(p)
		name := t.name(n)
		if len(subj) < len(name) || subj[len(subj)-len(name):] != name {
			return false
		}
		subj = subj[:len(subj)-len(name)]
		if p = n.parent; p != rootID {
			if subj == "" || subj[len(subj)-1] != '.' {
				return false
			}
			subj = subj[:len(subj)-1]
		}
	}
	return subj == ""
}

// hasChildren reports whether n is a branch with a live child. A branch
// whose last child is pruned is dropped, unless it keeps the node's own
// count (see removeLeaf): then it has no order left.
func (t *Tree) hasChildren(n *node) bool {
	if n.branch == 0 {
		return false
	}
	b := t.branches.at(n.branch)
	return len(b.order) > int(b.gone)
}

// order is id's children as its branch holds them: removed ones (pinned)
// included. Nil for a leaf.
func (t *Tree) order(id uint32) []uint32 {
	if n := t.nodes.at(id); n.branch != 0 {
		return t.branches.at(n.branch).order
	}
	return nil
}

// children is id's live children in display order, compacting its order
// first (see branch.live).
func (t *Tree) children(id uint32) []uint32 {
	if n := t.nodes.at(id); n.branch != 0 {
		return t.live(t.branches.at(n.branch))
	}
	return nil
}
