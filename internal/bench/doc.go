// Package bench measures what Ward adds on top of SpiceDB: the same operations
// made through Ward's HTTP API and directly over SpiceDB's gRPC API, on the
// same in-process server, reported side by side. `ward-bench` (Run) loads
// generated practices at growing sizes on memory or PostgreSQL and prints the
// table docs/performance.md holds; the Go benchmarks ask the demo practice's
// questions:
//
//	go run ./cmd/ward-bench --sizes 1000,10000
//	go test -run '^$' -bench . -benchtime 2000x ./internal/bench
package bench
