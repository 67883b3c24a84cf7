package cli

import (
	"strings"
	"testing"
)

// TestParseContext: --context reads what JSON can say, once a key, and says
// what was wrong otherwise.
func TestParseContext(t *testing.T) {
	for _, tt := range []struct {
		flags []string
		err   string // "" for none
	}{
		{[]string{"amount=450.50", "ip=10.0.0.1"}, ""},
		{[]string{"amount=1_000"}, "must be a number"},
		{[]string{"amount=0x10"}, "must be a number"},
		{[]string{"amount=NaN"}, "must be a number"},
		{[]string{"amount=1", "amount=600"}, "given twice"},
		{[]string{"ip=10.0.0.300"}, "ip=10.0.0.300"},
		{[]string{"colour=red"}, "unknown key"},
		{[]string{"amount"}, "KEY=VALUE"},
	} {
		c, err := parseContext(tt.flags)
		switch {
		case tt.err == "" && (err != nil || c == nil || c.Amount == nil || *c.Amount != 450.50 || c.IP == nil):
			t.Errorf("%v: %+v, %v", tt.flags, c, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%v: %v; want an error saying %q", tt.flags, err, tt.err)
		}
	}
}
