package domain

import (
	"strings"
	"testing"
)

// TestPresetsNameWhatExists: every preset names only areas, actions, levels,
// roles and switches that exist; and Validate catches each kind of slip.
func TestPresetsNameWhatExists(t *testing.T) {
	for _, name := range PresetNames() {
		if err := Presets[name].Validate(); err != nil {
			t.Errorf("%v", err)
		}
	}
	base := func() *Preset {
		return &Preset{Name: "test", OwnerRole: "admin", Roles: []Role{{Name: "admin", Grants: map[string]Level{"notes": LevelWritten}}},
			Switches: []Switch{{Name: "a", Caps: []Capability{Cap("notes", ActionView)}}}}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("the base preset is valid, got %v", err)
	}
	for _, tc := range []struct {
		name  string
		spoil func(p *Preset)
		want  string
	}{
		{"unknown area", func(p *Preset) { p.Roles[0].Grants["treatment_notes"] = LevelFull }, `no area "treatment_notes"`},
		{"level the area lacks", func(p *Preset) { p.Roles[0].Grants["settings"] = LevelOwn }, `area settings has no level "own"`},
		{"unknown level", func(p *Preset) { p.Roles[0].Grants["notes"] = "some" }, `has no level "some"`},
		{"unknown action", func(p *Preset) { p.Roles[0].Overrides = map[Capability]Level{Cap("sms", ActionView): LevelFull} }, "sms.view is not an action"},
		{"unknown owner role", func(p *Preset) { p.OwnerRole = "boss" }, `owner role: no role "boss"`},
		{"unknown owner-only area", func(p *Preset) { p.OwnerOnly = []string{"billing"} }, `no area "billing"`},
		{"reserved for nobody", func(p *Preset) { p.Reserved = map[Capability]string{Cap("notes", ActionView): "ghost"} }, `no role "ghost"`},
		{"setting of an unknown role", func(p *Preset) { p.Settings = map[string]Setting{"s": {Role: "ghost"}} }, `setting s: no role "ghost"`},
		{"switch on an unknown one", func(p *Preset) { p.Switches[0].DependsOn = []string{"b"} }, `depends on "b"`},
		{"own switch of an area without own", func(p *Preset) {
			p.Switches = append(p.Switches, Switch{Name: "c", Own: true, Caps: []Capability{Cap("settings", ActionEdit)}})
		}, `area settings has no level "own"`},
		{"admin switch that is also ordinary", func(p *Preset) { p.AdminRole, p.AdminSwitches = "admin", []string{"a"} }, `"a" is also an ordinary switch`},
		{"admin switches without an admin role", func(p *Preset) { p.AdminSwitches = []string{"z"} }, "without an admin role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.spoil(p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
