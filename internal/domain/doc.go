// Package domain is Ward's pure core: the practice events it accepts, the presets
// (product models) with their roles and areas, and the translation of events into
// relationship changes and of permission questions into checks and explanations.
//
// Nothing here talks to SpiceDB or the network. The spicedb package loads the
// relationships a request needs into a State, calls Plan or Explain, and writes or
// answers what they return, so every rule here is testable with plain values.
package domain

// Regenerate the planner's golden files.
//
//go:generate go test . -run "TestPlans|TestPlanDemoGolden" -update
