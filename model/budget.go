package model

// Budget is --max-memory shared out over everything natsx holds that grows
// with traffic, so that the whole process, not only the subject tree, stays
// within it (cli.SplitBudget works it out; README "Memory" says how). The
// header's mem is the sum of what each part holds, against Total.
type Budget struct {
	// Total is --max-memory: what the process may hold, the collector's
	// garbage included.
	Total int64
	// Garbage is the part of Total left to garbage between two
	// collections: the live heap stays within Total - Garbage.
	Garbage int64
	// Base is the heap the process held before any traffic: the runtime,
	// the libraries, an embedded broker. Measured once at start; charged
	// as it is.
	Base int64
	// Store bounds the engine's store between the tap and the UI, slots
	// included.
	Store int64
	// Pending bounds what nats.go queues for the tap before its callback.
	Pending int64
	// Batch is the UI's pull buffer (its slots; the messages it holds
	// point into the store's).
	Batch int64
	// BatchSize is how many messages one pull reads.
	BatchSize int
	// Flight bounds the flight recorder (F), and what waits for it while
	// it is being saved.
	Flight int64
	// Tree bounds the subject tree and the filter panes: the rest.
	Tree int64
}
