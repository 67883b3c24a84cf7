package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"testing"
)

// TestCSVEscapesEveryCell: a cell that a spreadsheet would run (starting
// with =, +, -, @, a tab or a carriage return) comes out prefixed with ',
// whichever column holds it; other cells come out as they are.
func TestCSVEscapesEveryCell(t *testing.T) {
	t.Parallel()
	set := map[string]func(r *Record, v string){
		"kind":       func(r *Record, v string) { r.Kind = v },
		"request_id": func(r *Record, v string) { r.RequestID = v },
		"account":    func(r *Record, v string) { r.Account = v },
		"actor":      func(r *Record, v string) { r.Actor = v },
		"workspace":  func(r *Record, v string) { r.Workspace = v },
		"subject":    func(r *Record, v string) { r.Subject = v },
		"permission": func(r *Record, v string) { r.Permission = v },
		"resource":   func(r *Record, v string) { r.Resource = v },
		"purpose":    func(r *Record, v string) { r.Purpose = v },
		"event_types": func(r *Record, v string) {
			r.Events, _ = json.Marshal([]map[string]string{{"type": v}})
		},
		"error":    func(r *Record, v string) { r.Error = v },
		"zedtoken": func(r *Record, v string) { r.ZedToken = v },
		"hash":     func(r *Record, v string) { r.Hash = v },
	}
	for _, c := range []struct {
		value, want string
	}{
		{"=1+2", "'=1+2"},
		{"+1", "'+1"},
		{"-2-3", "'-2-3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"riverside", "riverside"},
		{"a=1", "a=1"},
	} {
		for col, fn := range set {
			r := *decision("priya", "ann", true)
			fn(&r, c.value)
			var out bytes.Buffer
			if err := WriteCSV(&out, []Record{r}, true); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&out).ReadAll()
			if err != nil || len(rows) != 2 {
				t.Fatalf("%s %q: %d rows, %v", col, c.value, len(rows), err)
			}
			if got := rows[1][slices.Index(CSVHeader, col)]; got != c.want {
				t.Errorf("%s %q: the cell is %q; want %q", col, c.value, got, c.want)
			}
		}
	}
}
