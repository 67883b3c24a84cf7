package domain

import (
	"encoding/json"
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

// TestFieldGroupDefaults: where no document names a field group, a preset
// role sees insurance with contact details and changes it where it edits
// clients, and has identifiers only if it also reads clinical notes.
func TestFieldGroupDefaults(t *testing.T) {
	tests := []struct {
		preset, role, action string
		want                 Level
	}{
		{"caspen", "receptionist", "view_insurance", LevelFull},
		{"caspen", "receptionist", "edit_insurance", LevelFull},
		{"caspen", "receptionist", "view_identifiers", LevelNone},
		{"caspen", "practice_manager", "view_identifiers", LevelNone},
		{"caspen", "practitioner", "view_identifiers", LevelOwn},
		{"caspen", "practitioner", "edit_identifiers", LevelOwn},
		{"caspen", "practitioner_admin", "edit_identifiers", LevelFull},
		{"caspen", "accountant", "view_insurance", LevelNone},
		{"clinic_platform", "front_desk", "view_insurance", LevelFull},
		{"clinic_platform", "front_desk", "edit_insurance", LevelNone},
		{"clinic_platform", "manager", "view_identifiers", LevelNone}, // reads notes, edits no client
		{"clinic_platform", "provider", "view_identifiers", LevelOwn},
		{"cliniko", "practitioner", "view_identifiers", LevelFull},
		{"cliniko", "receptionist", "view_identifiers", LevelNone},
		{"cliniko", "bookkeeper", "view_insurance", LevelNone},
		{"clinicsense", "office_staff", "view_insurance", LevelNone}, // by switch only
	}
	for _, tt := range tests {
		role, ok := Presets[tt.preset].Role(tt.role)
		if !ok {
			t.Fatalf("%s has no role %s", tt.preset, tt.role)
		}
		if got := role.Level(Cap("clients", tt.action)); got != tt.want {
			t.Errorf("%s %s clients.%s: %s, want %s", tt.preset, tt.role, tt.action, got, tt.want)
		}
	}
}

// TestAreaWideLevelsLeaveFieldGroups: "clients": "all" sets the record
// actions only; "none" takes the field groups away too; a group is granted by
// name, in either form, beside an area-wide level.
func TestAreaWideLevelsLeaveFieldGroups(t *testing.T) {
	tests := []struct {
		grants string
		want   map[string]Level // clients actions; absent: not set
	}{
		{`{"clients":"all"}`, map[string]Level{"view": LevelFull, "export": LevelFull}},
		{`{"clients":"none"}`, map[string]Level{"view": LevelNone, "view_identifiers": LevelNone, "edit_insurance": LevelNone}},
		{`{"clients":{"view_insurance":"own"}}`, map[string]Level{"view_insurance": LevelOwn}},
		{`[{"area":"patients","level":"all"},{"area":"clients","action":"view_identifiers","level":"all"}]`,
			map[string]Level{"view": LevelFull, "view_identifiers": LevelFull}},
	}
	for _, tt := range tests {
		g, err := parseGrants(json.RawMessage(tt.grants))
		if err != nil {
			t.Fatalf("%s: %v", tt.grants, err)
		}
		caps, err := resolveGrants(0, g)
		if err != nil {
			t.Fatalf("%s: %v", tt.grants, err)
		}
		for action, want := range tt.want {
			if got, ok := caps[Cap("clients", action)]; !ok || got != want {
				t.Errorf("%s: clients.%s = %q (set %v), want %q", tt.grants, action, got, ok, want)
			}
		}
		for c := range caps {
			if _, _, ok := c.field(); ok {
				if _, named := tt.want[c.Action]; !named && !strings.Contains(tt.grants, "none") {
					t.Errorf("%s sets %s, a field group it does not name", tt.grants, c)
				}
			}
		}
	}
	if _, err := resolveGrants(0, map[string]AreaGrant{"clients": {Actions: map[string]Level{"view_ssn": LevelFull}}}); err == nil || !strings.Contains(err.Error(), "view_insurance") {
		t.Errorf("an unknown field action: %v, want an error listing the area's actions", err)
	}
}
