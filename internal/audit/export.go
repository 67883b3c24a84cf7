package audit

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Formats an export may take.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
	// FormatFHIR is a FHIR R4 Bundle of AuditEvent resources.
	FormatFHIR = "fhir"
)

// WriteJSONL writes one record per line, as stored (hash included).
func WriteJSONL(w io.Writer, recs []Record) error {
	enc := json.NewEncoder(w)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// CSVHeader is the first row of a CSV export.
var CSVHeader = []string{"seq", "time", "kind", "request_id", "account", "actor", "workspace", "subject", "permission", "resource", "allowed", "purpose", "event_types", "error", "zedtoken", "hash"}

// WriteCSV writes a header and one row per record; events are summarised by
// their types (JSON Lines keeps them whole).
func WriteCSV(w io.Writer, recs []Record, header bool) error {
	cw := csv.NewWriter(w)
	if header {
		if err := cw.Write(CSVHeader); err != nil {
			return err
		}
	}
	for _, r := range recs {
		allowed := ""
		if r.Allowed != nil {
			allowed = strconv.FormatBool(*r.Allowed)
		}
		row := []string{strconv.FormatInt(r.Seq, 10), r.Time.Format(time.RFC3339Nano), r.Kind, r.RequestID, r.Account, r.Actor,
			r.Workspace, r.Subject, r.Permission, r.Resource, allowed, r.Purpose, strings.Join(EventTypes(r), " "), r.Error, r.ZedToken, r.Hash}
		for i := range row {
			// Every cell: most hold what a caller sent (a request ID, a
			// practice's name, an event's type).
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet: one
// starting with =, +, -, @, a tab or a carriage return is prefixed with '.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// EventTypes lists the types of r's events, in order.
func EventTypes(r Record) []string {
	var events []struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(r.Events, &events)
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

// FHIR codes: the AuditEvent type and subtype (DICOM), the action, and the
// purpose of use (HL7 v3 ActReason).
const (
	dcm          = "http://dicom.nema.org/resources/ontology/DCM"
	actReason    = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
	eventTypeSys = "http://terminology.hl7.org/CodeSystem/audit-event-type"
)

// purposeCodes maps a check's purpose to HL7 v3 ActReason; emergency access
// is ETREAT and break-glass BTG, as FHIR codes them.
var purposeCodes = map[string]string{
	"treatment": "TREAT", "emergency": "ETREAT", "break_glass": "BTG", "break-glass": "BTG", "btg": "BTG",
	"payment": "HPAYMT", "billing": "HPAYMT", "operations": "HOPERAT", "research": "HRESCH", "audit": "HSYSADMIN",
}

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type reference struct {
	Identifier *struct {
		Value string `json:"value"`
	} `json:"identifier,omitempty"`
	Display string `json:"display,omitempty"`
}

func ref(value string) reference {
	r := reference{Identifier: &struct {
		Value string `json:"value"`
	}{value}}
	return r
}

type agent struct {
	Type      *concept  `json:"type,omitempty"`
	Who       reference `json:"who"`
	Requestor bool      `json:"requestor"`
}

type entity struct {
	What reference `json:"what"`
	Type *coding   `json:"type,omitempty"`
}

type auditEvent struct {
	ResourceType   string    `json:"resourceType"`
	ID             string    `json:"id"`
	Type           coding    `json:"type"`
	Subtype        []coding  `json:"subtype,omitempty"`
	Action         string    `json:"action"`
	Recorded       string    `json:"recorded"`
	Outcome        string    `json:"outcome"`
	OutcomeDesc    string    `json:"outcomeDesc,omitempty"`
	PurposeOfEvent []concept `json:"purposeOfEvent,omitempty"`
	Agent          []agent   `json:"agent"`
	Source         struct {
		Observer reference `json:"observer"`
	} `json:"source"`
	Entity []entity `json:"entity,omitempty"`
}

// FHIRAuditEvent is r as a FHIR R4 AuditEvent: a decision is a read of the
// resource ("R", outcome 0 when allowed, 4 when refused), an applied batch
// an update ("U", 0), a refused batch "U" with outcome 4. A check made for
// an emergency or break-glass carries DCM 110127 (Emergency Override
// Started) as its subtype and ETREAT or BTG as its purpose.
func FHIRAuditEvent(r Record) any {
	e := auditEvent{ResourceType: "AuditEvent", ID: strconv.FormatInt(r.Seq, 10), Recorded: r.Time.Format(time.RFC3339Nano), Outcome: "0"}
	e.Source.Observer = reference{Display: "Ward"}
	switch r.Kind {
	case KindDecision:
		e.Type = coding{System: dcm, Code: "110110", Display: "Patient Record"}
		e.Action = "R"
		if r.Allowed == nil || !*r.Allowed {
			e.Outcome, e.OutcomeDesc = "4", "refused: "+r.Permission
		}
		e.Agent = append(e.Agent, agent{Who: ref(r.Subject), Requestor: true})
		e.Entity = append(e.Entity, entity{What: ref(r.Resource)})
	default:
		e.Type = coding{System: eventTypeSys, Code: "rest", Display: "RESTful Operation"}
		e.Action = "U"
		if r.Kind == KindRefused {
			e.Outcome, e.OutcomeDesc = "4", r.Error
		}
		for _, t := range EventTypes(r) {
			e.Subtype = append(e.Subtype, coding{System: "urn:ward:event-type", Code: t})
		}
		if r.Workspace != "" {
			e.Entity = append(e.Entity, entity{What: ref("workspace:" + r.Workspace)})
		}
		for _, c := range r.Clients {
			e.Entity = append(e.Entity, entity{What: ref("client:" + c)})
		}
	}
	if r.Actor != "" {
		e.Agent = append(e.Agent, agent{Who: ref(r.Actor), Requestor: r.Kind != KindDecision})
	}
	if r.Account != "" {
		e.Agent = append(e.Agent, agent{Type: &concept{Text: "application"}, Who: ref(r.Account)})
	}
	if len(e.Agent) == 0 {
		e.Agent = append(e.Agent, agent{Type: &concept{Text: "application"}, Who: reference{Display: "caller without an API key"}})
	}
	if r.Purpose != "" {
		c := concept{Text: r.Purpose}
		if code, ok := purposeCodes[strings.ToLower(r.Purpose)]; ok {
			c.Coding = []coding{{System: actReason, Code: code}}
			if code == "ETREAT" || code == "BTG" {
				e.Subtype = append(e.Subtype, coding{System: dcm, Code: "110127", Display: "Emergency Override Started"})
			}
		}
		e.PurposeOfEvent = []concept{c}
	}
	return e
}

// WriteFHIR writes recs as a FHIR R4 Bundle (type collection) of AuditEvents.
func WriteFHIR(w io.Writer, recs []Record) error {
	type entry struct {
		FullURL  string `json:"fullUrl"`
		Resource any    `json:"resource"`
	}
	bundle := struct {
		ResourceType string  `json:"resourceType"`
		Type         string  `json:"type"`
		Timestamp    string  `json:"timestamp"`
		Entry        []entry `json:"entry"`
	}{ResourceType: "Bundle", Type: "collection", Timestamp: time.Now().UTC().Format(time.RFC3339), Entry: []entry{}}
	for _, r := range recs {
		bundle.Entry = append(bundle.Entry, entry{FullURL: fmt.Sprintf("urn:ward:audit:%d", r.Seq), Resource: FHIRAuditEvent(r)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(bundle)
}
