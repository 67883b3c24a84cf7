package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Event is one practice event. Which fields an event carries depends on its Type;
// see EventTypes.
type Event struct {
	Type       string               `json:"type"`
	Workspace  string               `json:"workspace,omitempty"`
	Owner      string               `json:"owner,omitempty"`
	Preset     string               `json:"preset,omitempty"`
	To         string               `json:"to,omitempty"`
	Location   string               `json:"location,omitempty"`
	User       string               `json:"user,omitempty"`
	Role       string               `json:"role,omitempty"`
	Grants     map[string]AreaGrant `json:"grants,omitempty"`
	Inherits   string               `json:"inherits,omitempty"`
	Setting    string               `json:"setting,omitempty"`
	Permission string               `json:"permission,omitempty"`
	Value      string               `json:"value,omitempty"`
	// ExpiresAt ends a role holding; its zero value is never.
	ExpiresAt    End    `json:"-"`
	Client       string `json:"client,omitempty"`
	Practitioner string `json:"practitioner,omitempty"`
	Note         string `json:"note,omitempty"`
	Author       string `json:"author,omitempty"`
	Appointment  string `json:"appointment,omitempty"`
	Invoice      string `json:"invoice,omitempty"`
	Letter       string `json:"letter,omitempty"`
	File         string `json:"file,omitempty"`
	Form         string `json:"form,omitempty"`
	Template     string `json:"template,omitempty"`
	Expense      string `json:"expense,omitempty"`
}

// EventSpec lists an event type's fields.
type EventSpec struct {
	Required []string
	Optional []string
	// Creates is the type of object the event makes (named by the field of the
	// same name), or "".
	Creates string
	// Records is set on events that change records only, never roles, holdings
	// or staff, so nobody's written-out access needs rewriting after them.
	Records bool
}

// EventTypes are the events Ward accepts, with their fields. The names are a
// contract with app services: extend beside them, never rename them.
var EventTypes = map[string]EventSpec{
	"workspace.created":              {Required: []string{"workspace", "owner", "preset"}},
	"ownership.transferred":          {Required: []string{"workspace", "to"}},
	"location.created":               {Required: []string{"workspace", "location"}, Creates: TypeLocation, Records: true},
	"staff.added":                    {Required: []string{"workspace", "user", "role"}, Optional: []string{"location", "expires_at"}},
	"staff.disabled":                 {Required: []string{"workspace", "user"}},
	"staff.enabled":                  {Required: []string{"workspace", "user"}},
	"staff.removed":                  {Required: []string{"workspace", "user"}},
	"role.assigned":                  {Required: []string{"workspace", "user", "role"}, Optional: []string{"location", "expires_at"}},
	"role.revoked":                   {Required: []string{"workspace", "user", "role"}, Optional: []string{"location"}},
	"role.updated":                   {Required: []string{"workspace", "role", "grants"}},
	"role.defined":                   {Required: []string{"workspace", "role"}, Optional: []string{"grants", "inherits"}},
	"role.deleted":                   {Required: []string{"workspace", "role"}},
	"setting.changed":                {Required: []string{"workspace", "setting", "value"}},
	"staff_permission.changed":       {Required: []string{"workspace", "user", "permission", "value"}},
	"letter.created":                 {Required: []string{"workspace", "letter", "client", "author"}, Creates: TypeLetter, Records: true},
	"file.uploaded":                  {Required: []string{"workspace", "file", "client", "author"}, Creates: TypeFile, Records: true},
	"form.completed":                 {Required: []string{"workspace", "form", "client"}, Optional: []string{"template"}, Creates: TypeForm, Records: true},
	"form_template.restricted":       {Required: []string{"workspace", "template", "value"}, Records: true},
	"form_template.access_granted":   {Required: []string{"workspace", "template", "role"}, Records: true},
	"form_template.access_revoked":   {Required: []string{"workspace", "template", "role"}, Records: true},
	"expense.created":                {Required: []string{"workspace", "expense", "author"}, Creates: TypeExpense, Records: true},
	"client.created":                 {Required: []string{"workspace", "client"}, Optional: []string{"location", "practitioner"}, Creates: TypeClient, Records: true},
	"client.deleted":                 {Required: []string{"workspace", "client"}, Records: true},
	"client.practitioner_assigned":   {Required: []string{"workspace", "client", "user"}, Records: true},
	"client.practitioner_unassigned": {Required: []string{"workspace", "client", "user"}, Records: true},
	"patient.shared":                 {Required: []string{"workspace", "client", "user"}, Records: true},
	"patient.unshared":               {Required: []string{"workspace", "client", "user"}, Records: true},
	"notes_access.granted":           {Required: []string{"workspace"}, Optional: []string{"role", "user", "client"}},
	"notes_access.revoked":           {Required: []string{"workspace"}, Optional: []string{"role", "user", "client"}},
	"note.created":                   {Required: []string{"workspace", "note", "client", "author"}, Creates: TypeNote, Records: true},
	"note.finalized":                 {Required: []string{"workspace", "note"}, Records: true},
	"appointment.booked":             {Required: []string{"workspace", "appointment", "client", "practitioner"}, Optional: []string{"location"}, Creates: TypeAppointment, Records: true},
	"invoice.created":                {Required: []string{"workspace", "invoice", "client"}, Optional: []string{"practitioner", "location"}, Creates: TypeInvoice, Records: true},
}

// MaxEventsPerRequest bounds one request, which is applied atomically.
const MaxEventsPerRequest = 1000

// MaxImportEvents bounds one import of new practices, also applied
// atomically. Its relationships are bounded too (MaxImportChanges): a client
// takes about five, so 50,000 events of new clients stay within both.
const MaxImportEvents = 50000

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9_|=+\-]{1,128}$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
)

// ValidateID checks an object ID supplied by a caller.
func ValidateID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("must not be empty")
	case strings.Contains(id, "*"):
		return fmt.Errorf("%q: the wildcard '*' is not an ID: it would reach every object", id)
	case !idPattern.MatchString(id):
		return fmt.Errorf("%q is not a valid ID: use 1-128 letters, digits, '_', '-', '=', '+' or '|'", id)
	}
	return nil
}

func validateName(name string) error {
	if strings.Contains(name, "*") {
		return fmt.Errorf("%q: the wildcard '*' is not a name", name)
	}
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%q is not a valid name: use lowercase letters, digits and '_', starting with a letter", name)
	}
	return nil
}

// ParseEvents decodes and validates each raw JSON object as an event. Errors name
// the event's index and field. Ends (expires_at) must come after now.
func ParseEvents(raws []json.RawMessage) ([]Event, error) {
	return ParseEventsAt(raws, time.Now())
}

// ParseEventsAt is ParseEvents with the present moment given: an end at or
// before now is refused.
func ParseEventsAt(raws []json.RawMessage, now time.Time) ([]Event, error) {
	return parseEvents(raws, MaxEventsPerRequest, now)
}

// ParseImport parses an import's events, up to MaxImportEvents.
func ParseImport(raws []json.RawMessage) ([]Event, error) {
	return parseEvents(raws, MaxImportEvents, time.Now())
}

func parseEvents(raws []json.RawMessage, most int, now time.Time) ([]Event, error) {
	if len(raws) == 0 {
		return nil, Errorf(CodeInvalid, "events: at least one event is required")
	}
	if len(raws) > most {
		return nil, Errorf(CodeInvalid, "events: %d events in one request; at most %d are applied atomically, split the request", len(raws), most)
	}
	events := make([]Event, 0, len(raws))
	for i, raw := range raws {
		e, err := parseEvent(i, raw, now)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, nil
}

func parseEvent(i int, raw json.RawMessage, now time.Time) (Event, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return Event{}, &Error{Code: CodeInvalid, Index: i, Message: "must be a JSON object"}
	}
	var typ string
	if rawType, ok := fields["type"]; !ok {
		return Event{}, fieldErr(CodeInvalid, i, "type", "is required")
	} else if err := json.Unmarshal(rawType, &typ); err != nil {
		return Event{}, fieldErr(CodeInvalid, i, "type", "must be a string")
	}
	spec, ok := EventTypes[typ]
	if !ok {
		return Event{}, fieldErr(CodeInvalid, i, "type", "unknown event type %q (known: %s)", typ, strings.Join(slices.Sorted(maps.Keys(EventTypes)), ", "))
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if name != "type" && !slices.Contains(spec.Required, name) && !slices.Contains(spec.Optional, name) {
			return Event{}, fieldErr(CodeInvalid, i, name, "is not a field of %s (fields: %s)", typ, strings.Join(append(slices.Clone(spec.Required), spec.Optional...), ", "))
		}
	}
	for _, name := range spec.Required {
		if _, ok := fields[name]; !ok {
			return Event{}, fieldErr(CodeInvalid, i, name, "is required for %s", typ)
		}
	}
	e := Event{Type: typ}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if name == "type" {
			continue
		}
		if err := setField(&e, name, fields[name], now); err != nil {
			return Event{}, fieldErr(CodeInvalid, i, name, "%v", err)
		}
	}
	// A role is given something: grants, or (role.defined) a role to inherit.
	if typ == "role.updated" || typ == "role.defined" {
		if len(e.Grants) == 0 && e.Inherits == "" {
			why := "must name at least one area"
			if typ == "role.defined" {
				why += ", unless the role inherits another"
			}
			return Event{}, fieldErr(CodeInvalid, i, "grants", "%s", why)
		}
	}
	if strings.HasPrefix(typ, "notes_access.") {
		byRole := e.Role != "" && e.User == "" && e.Client == ""
		byClient := e.Role == "" && e.User != "" && e.Client != ""
		if !byRole && !byClient {
			return Event{}, &Error{Code: CodeInvalid, Index: i, Message: typ + " takes either {workspace, role} or {workspace, user, client}"}
		}
	}
	return e, nil
}

func setField(e *Event, name string, raw json.RawMessage, now time.Time) error {
	if name == "grants" {
		grants, err := parseGrants(raw)
		if err != nil {
			return err
		}
		e.Grants = grants
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("must be a string")
	}
	if name == "expires_at" {
		end, err := parseEnd(v, now)
		if err != nil {
			return err
		}
		e.ExpiresAt = end
		return nil
	}
	if name == "value" {
		if v != "on" && v != "off" {
			return fmt.Errorf("%q: use on or off", v)
		}
		e.Value = v
		return nil
	}
	if name == "role" || name == "preset" || name == "inherits" || name == "setting" || name == "permission" {
		if err := validateName(v); err != nil {
			return err
		}
	} else if err := ValidateID(v); err != nil {
		return err
	}
	switch name {
	case "workspace":
		e.Workspace = v
	case "owner":
		e.Owner = v
	case "preset":
		e.Preset = v
	case "to":
		e.To = v
	case "location":
		e.Location = v
	case "user":
		e.User = v
	case "role":
		e.Role = v
	case "inherits":
		e.Inherits = v
	case "setting":
		e.Setting = v
	case "permission":
		e.Permission = v
	case "client":
		e.Client = v
	case "practitioner":
		e.Practitioner = v
	case "note":
		e.Note = v
	case "author":
		e.Author = v
	case "appointment":
		e.Appointment = v
	case "invoice":
		e.Invoice = v
	case "letter":
		e.Letter = v
	case "file":
		e.File = v
	case "form":
		e.Form = v
	case "template":
		e.Template = v
	case "expense":
		e.Expense = v
	default:
		return fmt.Errorf("is not a known field")
	}
	return nil
}

// parseEnd reads an end: an RFC 3339 time whose offset is Z or within
// -23:59..+23:59, after now (a holding starts when its event is applied, and
// an end that has passed would grant nothing).
func parseEnd(v string, now time.Time) (End, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return End{}, fmt.Errorf("%q is not an RFC 3339 time such as 2027-02-28T17:00:00Z", v)
	}
	if !strings.HasSuffix(v, "Z") {
		// Go accepts +24:00 and minutes of 60; RFC 3339 does not.
		off := v[len(v)-6:]
		if off[1:3] > "23" || off[4:6] > "59" {
			return End{}, fmt.Errorf("%q: the offset %s is out of range: use Z or -23:59 to +23:59", v, off)
		}
	}
	end := EndAt(t)
	if end.PassedAt(now) {
		return End{}, fmt.Errorf("%q has passed already (it is %s now): an end must be in the future; to end access now, revoke it", v, now.UTC().Format(time.RFC3339))
	}
	return end, nil
}

// AreaGrant is what an event grants of one area: one level for every action
// (Level), or a level per action (Actions).
type AreaGrant struct {
	Level   Level
	Actions map[string]Level
}

// parseLevel reads full (or its synonym all), own (or Caspen's word for it,
// limited: "User can only access items related to them"), written or none.
func parseLevel(s string) (Level, error) {
	switch s {
	case "full", "all":
		return LevelFull, nil
	case "own", "limited":
		return LevelOwn, nil
	case "written":
		return LevelWritten, nil
	case "none":
		return LevelNone, nil
	}
	return "", fmt.Errorf("level %q is not all (or full), own (or limited), written or none", s)
}

// areaAliases are the words the products' guides use for Ward's areas.
var areaAliases = map[string]string{
	"patients": "clients", "patient": "clients", "client": "clients",
	"billing": "invoices", "payments": "invoices", "invoice": "invoices",
	"scheduling": "appointments", "calendar": "appointments", "appointment": "appointments",
	"treatment_notes": "notes", "clinical_notes": "notes", "medical_notes": "notes", "medical_records": "notes",
	"inventory": "products", "stock": "products",
	"users": "staff", "staff_management": "staff",
}

// actionAliases: the clinic platform's guide says "Read" for view.
var actionAliases = map[string]string{"read": ActionView, "update": ActionEdit, "modify": ActionEdit, "remove": ActionDelete, "archive": ActionDelete}

func canonicalArea(name string) string {
	if a, ok := areaAliases[name]; ok {
		return a
	}
	return name
}

func canonicalAction(name string) string {
	if a, ok := actionAliases[name]; ok {
		return a
	}
	return name
}

// grantItem is one grant in the list form: [{"area", "action", "level"}].
type grantItem struct {
	Area, Action, Level string
}

// parseGrantList reads the list form; an item without an action grants every
// action of its area.
func parseGrantList(items []grantItem) (map[string]AreaGrant, error) {
	out := map[string]AreaGrant{}
	for n, it := range items {
		area := canonicalArea(it.Area)
		if err := validateName(area); err != nil {
			return nil, fmt.Errorf("item %d: area %v", n, err)
		}
		l, err := parseLevel(it.Level)
		if err != nil {
			return nil, fmt.Errorf("item %d (%s): %v", n, it.Area, err)
		}
		g := out[area]
		if it.Action == "" {
			g.Level = l
			g.Actions = nil
		} else {
			if g.Actions == nil {
				g.Actions = map[string]Level{}
				if g.Level != "" {
					// an earlier whole-area item: keep it for the other actions
					if a, ok := AreaByName(area); ok {
						for _, action := range a.Actions {
							g.Actions[action] = g.Level
						}
					}
				}
			}
			g.Actions[canonicalAction(it.Action)] = l
		}
		out[area] = g
	}
	return out, nil
}

// parseGrants reads {"area": "level"} or {"area": {"action": "level"}}, mixed
// freely, or a list [{"area", "action", "level"}]. Areas and actions may use
// the guides' words (patients, billing, read, ...).
func parseGrants(raw json.RawMessage) (map[string]AreaGrant, error) {
	var items []map[string]json.RawMessage
	if json.Unmarshal(raw, &items) == nil && items != nil {
		list := make([]grantItem, len(items))
		for n, item := range items {
			for _, key := range slices.Sorted(maps.Keys(item)) {
				var v string
				if err := json.Unmarshal(item[key], &v); err != nil {
					return nil, fmt.Errorf("item %d: %q must be a string", n, key)
				}
				switch key {
				case "area":
					list[n].Area = v
				case "action":
					list[n].Action = v
				case "level":
					list[n].Level = v
				default:
					return nil, fmt.Errorf("item %d: %q is not a key of a grant (keys: area, action, level)", n, key)
				}
			}
			if list[n].Area == "" || list[n].Level == "" {
				return nil, fmt.Errorf("item %d: area and level are required", n)
			}
		}
		return parseGrantList(list)
	}
	var areas map[string]json.RawMessage
	if err := json.Unmarshal(raw, &areas); err != nil || areas == nil {
		return nil, fmt.Errorf(`must be an object of area to level ("all", "own", "written" or "none") or to {action: level}`)
	}
	out := map[string]AreaGrant{}
	for _, given := range slices.Sorted(maps.Keys(areas)) {
		area := canonicalArea(given)
		if err := validateName(area); err != nil {
			return nil, fmt.Errorf("area %v", err)
		}
		var level string
		if json.Unmarshal(areas[given], &level) == nil {
			l, err := parseLevel(level)
			if err != nil {
				return nil, fmt.Errorf("area %q: %v", area, err)
			}
			out[area] = AreaGrant{Level: l}
			continue
		}
		var actions map[string]string
		if err := json.Unmarshal(areas[given], &actions); err != nil || len(actions) == 0 {
			return nil, fmt.Errorf("area %q: want a level or an object of action (view, create, edit, delete, export) to level", area)
		}
		g := AreaGrant{Actions: map[string]Level{}}
		for _, action := range slices.Sorted(maps.Keys(actions)) {
			l, err := parseLevel(actions[action])
			if err != nil {
				return nil, fmt.Errorf("area %q action %q: %v", area, action, err)
			}
			g.Actions[canonicalAction(action)] = l
		}
		out[area] = g
	}
	return out, nil
}

// objectTypes are the object types events name by a field of the same name.
var objectTypes = []string{TypeLocation, TypeClient, TypeNote, TypeAppointment, TypeInvoice,
	TypeLetter, TypeFile, TypeForm, TypeTemplate, TypeExpense}

// objectID returns the ID the event names for an object type, or "".
func (e Event) objectID(typ string) string {
	switch typ {
	case TypeLocation:
		return e.Location
	case TypeClient:
		return e.Client
	case TypeNote:
		return e.Note
	case TypeAppointment:
		return e.Appointment
	case TypeInvoice:
		return e.Invoice
	case TypeLetter:
		return e.Letter
	case TypeFile:
		return e.File
	case TypeForm:
		return e.Form
	case TypeTemplate:
		return e.Template
	case TypeExpense:
		return e.Expense
	}
	return ""
}
