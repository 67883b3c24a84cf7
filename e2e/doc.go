// Package e2e holds Ward's end-to-end suites: Ward against real SpiceDB
// containers (memory and PostgreSQL datastores), in-process and as its own
// container image, through the HTTP API and the CLI, with durability, fault and
// concurrency tests. They run with the e2e build tag; see e2e/run.sh.
//
// compose_test.go (no tag) checks docker-compose.yml against the code's flags.
package e2e
