package docs_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/docs"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
)

type openAPI struct {
	Paths       map[string]map[string]any `yaml:"paths"`
	EventFields map[string]struct {
		Required []string `yaml:"required"`
		Optional []string `yaml:"optional"`
	} `yaml:"x-event-fields"`
	Permissions map[string][]string `yaml:"x-permissions"`
	Components  struct {
		Schemas struct {
			Event struct {
				Properties struct {
					Type   struct{ Enum []string } `yaml:"type"`
					Preset struct{ Enum []string } `yaml:"preset"`
				} `yaml:"properties"`
			} `yaml:"Event"`
		} `yaml:"schemas"`
	} `yaml:"components"`
}

// TestOpenAPIMatchesCode holds docs/openapi.yaml to the routes, events and
// permissions the code serves, so the contract with app services cannot drift.
func TestOpenAPIMatchesCode(t *testing.T) {
	var doc openAPI
	if err := yaml.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" { // shared by the path's operations
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(documented)
	if served := slices.Sorted(slices.Values(httpapi.Routes)); !slices.Equal(documented, served) {
		t.Errorf("documented routes %v, served routes %v", documented, served)
	}
	if got, want := slices.Sorted(maps.Keys(doc.EventFields)), slices.Sorted(maps.Keys(domain.EventTypes)); !slices.Equal(got, want) {
		t.Errorf("documented events %v, accepted events %v", got, want)
	}
	if got := slices.Sorted(slices.Values(doc.Components.Schemas.Event.Properties.Type.Enum)); !slices.Equal(got, slices.Sorted(maps.Keys(domain.EventTypes))) {
		t.Errorf("Event.type enum %v does not list the accepted events", got)
	}
	for name, spec := range domain.EventTypes {
		d := doc.EventFields[name]
		if !slices.Equal(d.Required, spec.Required) || !slices.Equal(d.Optional, spec.Optional) {
			t.Errorf("%s: documented %v/%v, accepted %v/%v", name, d.Required, d.Optional, spec.Required, spec.Optional)
		}
	}
	for typ, perms := range domain.Permissions {
		var names []string
		for _, p := range perms {
			names = append(names, p.Name)
		}
		if !slices.Equal(doc.Permissions[typ], names) {
			t.Errorf("%s permissions: documented %v, answered %v", typ, doc.Permissions[typ], names)
		}
	}
	if len(doc.Permissions) != len(domain.Permissions) {
		t.Errorf("documented %d resource types, answered %d", len(doc.Permissions), len(domain.Permissions))
	}
	if got := doc.Components.Schemas.Event.Properties.Preset.Enum; !slices.Equal(got, domain.PresetNames()) {
		t.Errorf("documented presets %v, known presets %v", got, domain.PresetNames())
	}
}
