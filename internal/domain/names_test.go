package domain_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/domain"
)

// TestDisplayNames pins which display names Ward takes: a name shown in a
// list of accounts must not pass for another, so every character prints as
// itself and none is invisible, direction-changing or a leading or trailing
// space; names in any script, with accents, apostrophes and emoji, are taken.
func TestDisplayNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want string // "" when the name is taken
	}{
		{"plain", "Sync", ""},
		{"accents and apostrophes", "Zoë O'Brien-Ngata", ""},
		{"accent as a combining mark", "Zoe\u0308", ""},
		{"another script", "診療所 受付", ""},
		{"an emoji without a selector", "Reminders 🙂", ""},
		{"a no-break space inside", "Front\u00a0desk", ""},
		{"zero-width space", "Sy\u200bnc", "U+200B"},
		{"word joiner", "Sy\u2060nc", "U+2060"},
		{"soft hyphen", "Sy\u00adnc", "U+00AD"},
		{"right-to-left override", "Sync \u202egnp.exe", "U+202E"},
		{"line separator", "Sy\u2028nc", "U+2028"},
		{"Hangul filler inside", "Sy\u3164nc", "U+3164"},
		{"halfwidth Hangul filler inside", "Sy\uffa0nc", "U+FFA0"},
		{"braille blank inside", "Sy\u2800nc", "U+2800"},
		{"combining grapheme joiner", "Sy\u034fnc", "U+034F"},
		{"variation selector after a letter", "Sync\ufe0f", "U+FE0F"},
		{"supplementary variation selector", "Sync\U000E0100", "U+E0100"},
		{"tag character", "Sync\U000E0041", "U+E0041"},
		{"private use", "Sync\ue000", "U+E000"},
		{"noncharacter", "Sync\ufdd0", "U+FDD0"},
		{"unassigned", "Sync\U000EFFFD", "U+EFFFD"},
		{"leading space", " Sync", "must not begin with a space"},
		{"trailing space", "Sync ", "must not end with a space"},
		{"trailing ideographic space", "Sync\u3000", "must not end with a space"},
		{"only marks", "\u0308\u0308", "must have a visible character"},
		{"control", "a\u0000b", "control characters"},
		{"too long", strings.Repeat("a", 201), "1-200 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name, err := json.Marshal(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			raw := json.RawMessage(`{"type":"service_account.created","workspace":"w","account":"sync","name":` + string(name) + `}`)
			_, err = domain.ParseEvents([]json.RawMessage{raw})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("%q refused: %v", tt.text, err)
				}
				return
			}
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != domain.CodeInvalid || e.Field != "name" {
				t.Fatalf("%q: got %v, want the name refused", tt.text, err)
			}
			if !strings.Contains(e.Error(), tt.want) {
				t.Errorf("%q: got %q, want it to say %q", tt.text, e.Error(), tt.want)
			}
		})
	}
}
