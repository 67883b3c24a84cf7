package schema

import (
	"bytes"
	_ "embed"
	"text/template"

	"github.com/wardhq/ward/internal/domain"
)

//go:embed schema.zed.tmpl
var tmpl string

// helper is a record's permission that tells what one capability reaches:
// the relations of its full, own and (where the area has it) written levels.
type helper struct{ Name, All, Own, Written string }

func helpers(caps []domain.Capability) []helper {
	out := make([]helper, len(caps))
	for i, c := range caps {
		out[i] = helper{Name: c.Relation(domain.LevelFull), All: c.Relation(domain.LevelFull), Own: c.Relation(domain.LevelOwn)}
		if a, _ := domain.AreaByName(c.Area); a.Written {
			out[i].Written = c.Relation(domain.LevelWritten)
		}
	}
	return out
}

// Generate renders schema.zed from schema.zed.tmpl and the domain's areas, so
// that every capability Ward can grant has its relations and helpers.
func Generate() (string, error) {
	data := struct {
		Workspace, Location          []string
		Client, Appointment, Invoice []helper
	}{}
	var located []domain.Capability
	for _, a := range domain.Areas {
		for _, c := range a.Capabilities() {
			var rels []string
			for _, l := range a.GrantLevels() {
				rels = append(rels, c.Relation(l))
			}
			data.Workspace = append(data.Workspace, rels...)
			if a.Located {
				data.Location = append(data.Location, rels...)
				located = append(located, c)
			}
		}
		switch a.Name {
		case "appointments":
			data.Appointment = helpers(a.Capabilities())
		case "invoices":
			data.Invoice = helpers(a.Capabilities())
		}
	}
	data.Client = helpers(located)
	t, err := template.New("schema.zed.tmpl").Parse(tmpl)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
