// Package docs embeds Ward's API description so tests can hold it to the code.
package docs

// Regenerate the generated reference pages and model.md's tables.
//
//go:generate go test . -run "TestModelTables|TestPresetMatrices|TestPermissionsReference" -update

import _ "embed"

// OpenAPI is docs/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
