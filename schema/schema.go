// Package schema holds Ward's SpiceDB schema (schema.zed) and its tests in the
// `zed validate` format (testdata/*.yaml), which platform teams can also run
// with `zed validate` or paste into the SpiceDB playground.
package schema

import _ "embed"

// Text is the SpiceDB schema Ward writes at start.
//
//go:embed schema.zed
var Text string
