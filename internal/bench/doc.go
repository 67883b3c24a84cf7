// Package bench measures what Ward adds on top of SpiceDB: the same questions
// asked through Ward's HTTP API and directly over SpiceDB's gRPC API, on the
// same in-process server, reported side by side. Run:
//
//	go test -run '^$' -bench . -benchtime 2000x ./internal/bench
package bench
