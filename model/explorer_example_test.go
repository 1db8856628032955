package model_test

import (
	"fmt"
	"time"

	"natsx/model"
)

// An Explorer needs no UI: `natsx tree` and the benchmarks ingest through
// the same Apply as the terminal UI.
func ExampleExplorer() {
	start := time.Unix(1_700_000_000, 0)
	e := model.NewExplorer(model.ExplorerOptions{Tree: model.TreeOptions{HistoryDepth: 1}}, start)
	batch := []model.Message{
		{Subject: "orders.eu", Received: start.UnixNano(), Data: []byte("{}"), Size: 2},
		{Subject: "orders.us", Received: start.UnixNano(), Data: []byte("{}"), Size: 2},
		{Subject: "orders.eu", Received: start.UnixNano(), Data: []byte("{}"), Size: 2},
	}
	e.Apply(batch, model.SourceStatus{State: model.StateConnected}, start.Add(time.Second))
	fmt.Println(e.Tree().Msgs, e.Tree().Find("orders").Msgs(), e.Tree().Find("orders.eu").Own())
	// Output: 3 3 2
}
