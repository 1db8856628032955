package ui

import (
	"time"

	"natsx/model"
)

// batchMsg carries one pull from the feed. buf is the model's reusable
// buffer, handed to the command and back: only one pull is in flight.
type batchMsg struct {
	tag    int
	now    time.Time
	buf    []model.Message
	n      int
	next   uint64
	missed uint64
	status model.SourceStatus
}

// statusMsg shows a transient message in the footer.
type statusMsg struct {
	text  string
	isErr bool
}
