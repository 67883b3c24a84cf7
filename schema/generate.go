package schema

// Regenerate schema.zed and the `zed validate` files from the catalogue.
//
//go:generate go test . -run "TestSchemaIsGenerated|TestValidationFiles" -update

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/wardhq/ward/internal/domain"
)

//go:embed schema.zed.tmpl
var tmpl string

// Generate renders schema.zed from schema.zed.tmpl and Ward's catalogue
// (internal/domain): every capability Ward can grant gets its relations, and
// every question Ward answers its permission (see permissions).
func Generate() (string, error) {
	perms, err := permissions()
	if err != nil {
		return "", err
	}
	data := struct{ Workspace, Location, Limited []string }{}
	for _, a := range domain.Areas {
		for _, c := range a.Capabilities() {
			var rels []string
			for _, l := range a.GrantLevels() {
				rels = append(rels, c.Relation(l))
			}
			data.Workspace = append(data.Workspace, rels...)
			if a.Located {
				data.Location = append(data.Location, rels...)
			}
		}
		for _, action := range a.Limited {
			if !a.Located {
				return "", fmt.Errorf("area %s limits action %s by amount but has no location: its limited relation lives on locations too", a.Name, action)
			}
			data.Limited = append(data.Limited, domain.Cap(a.Name, action).Relation(domain.LevelFull)+domain.LimitedSuffix)
		}
	}
	used := map[string]bool{}
	render := func(typ string) string {
		used[typ] = true
		var b strings.Builder
		for i, p := range perms[typ] {
			if i == 0 || (p.Doc == "" && perms[typ][i-1].Doc != "") {
				b.WriteString("\n")
			}
			if p.Doc == "" && (i == 0 || perms[typ][i-1].Doc != "") {
				b.WriteString("\n\t// What the permissions above read.")
			}
			if p.Doc != "" {
				fmt.Fprintf(&b, "\n\t/** %s */", p.Doc)
			}
			fmt.Fprintf(&b, "\n\tpermission %s = %s", p.Name, p.Expr)
		}
		return b.String()
	}
	t, err := template.New("schema.zed.tmpl").Funcs(template.FuncMap{"perms": render, "lasting": lasting}).Parse(tmpl)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	for typ := range perms {
		if !used[typ] {
			return "", fmt.Errorf("schema.zed.tmpl has no place for %s's permissions: add {{- perms %q}} to its definition", typ, typ)
		}
	}
	return b.String(), nil
}

// lasting is the subject types of a relation whose relationships may start
// and end (Span): each type plain, with an expiration, with either of Ward's
// caveats for a start, and with a caveat and an expiration.
func lasting(types ...string) string {
	var out []string
	for _, t := range types {
		out = append(out, t, t+" with expiration")
		for _, c := range []string{domain.CaveatWindow, domain.CaveatDuring, domain.CaveatTerms} {
			out = append(out, t+" with "+c, t+" with "+c+" and expiration")
		}
	}
	return strings.Join(out, " | ")
}
