// Package docs embeds Ward's API description so tests can hold it to the code.
package docs

// Regenerate the generated reference pages and model.md's tables. They are
// made against the schema, which `go generate ./...` would reach only after
// this package: it is regenerated first, so that one run brings everything
// up to date after a change to the catalogue.
//
//go:generate go generate ../schema
//go:generate go test . -run "TestModelTables|TestPresetMatrices|TestPermissionsReference" -update

import _ "embed"

// OpenAPI is docs/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
