package domain_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/golden"
	"github.com/wardhq/ward/internal/scenarios"
)

// planBase is the practices every planner case starts from: a Caspen practice
// with a location, a practitioner, a receptionist, a client with a note and a
// share, and a custom role front that template wt chose; a Cliniko practice
// whose template kt chose its receptionists; a ClinicSense practice with
// office staff.
const planBase = `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}
{"type":"location.created","workspace":"w","location":"north"}
{"type":"staff.added","workspace":"w","user":"p","role":"practitioner"}
{"type":"staff.added","workspace":"w","user":"q","role":"practitioner","location":"north"}
{"type":"staff.added","workspace":"w","user":"r","role":"receptionist"}
{"type":"client.created","workspace":"w","client":"c","location":"north","practitioner":"p"}
{"type":"note.created","workspace":"w","note":"n","client":"c","author":"p"}
{"type":"patient.shared","workspace":"w","client":"c","user":"q"}
{"type":"notes_access.granted","workspace":"w","user":"r","client":"c"}
{"type":"role.defined","workspace":"w","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"form_template.access_granted","workspace":"w","template":"wt","role":"front"}
{"type":"workspace.created","workspace":"k","owner":"ka","preset":"cliniko"}
{"type":"staff.added","workspace":"k","user":"kp","role":"practitioner"}
{"type":"form_template.access_granted","workspace":"k","template":"kt","role":"receptionist"}
{"type":"workspace.created","workspace":"s","owner":"so","preset":"clinicsense"}
{"type":"staff.added","workspace":"s","user":"ss","role":"office_staff"}
{"type":"staff.added","workspace":"s","user":"sa","role":"practice_administrator"}
{"type":"break_glass.opened","workspace":"w","id":"bg0","user":"q","client":"c","reason":"base"}
{"type":"invoice.created","workspace":"w","invoice":"i0","client":"c","practitioner":"p"}
{"type":"refund.requested","workspace":"w","refund":"rf0","invoice":"i0"}
{"type":"access.requested","workspace":"w","request":"ar0","user":"r","role":"front","reason":"cover the front desk","minutes":60}
{"type":"staff.manager_set","workspace":"w","user":"q","manager":"p"}
{"type":"access.requested","workspace":"w","request":"arn","user":"p","role":"front","location":"north","reason":"cover north","minutes":30,"once":true}
{"type":"delegation.granted","workspace":"s","delegation":"sd","from":"sa","to":"ss","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`

// planCase is one event (or a few) planned against planBase.
type planCase struct {
	name, events string
}

// planCases name every event type at least once (TestPlans fails otherwise),
// and the refusals whose absence would let someone in.
var planCases = []planCase{
	{"create a practice", `{"type":"workspace.created","workspace":"w2","owner":"o2","preset":"caspen"}`},
	{"re-create a practice as it is", `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}`},
	{"refuse a practice of another preset", `{"type":"workspace.created","workspace":"w","owner":"o","preset":"cliniko"}`},
	{"transfer ownership", `{"type":"ownership.transferred","workspace":"w","to":"p"}`},
	{"refuse transferring ownership to someone whose role has not started", `{"type":"staff.added","workspace":"w","user":"lou","role":"practitioner_admin","starts_at":"2098-01-05T08:00:00Z"}
{"type":"ownership.transferred","workspace":"w","to":"lou"}`},
	{"add a location", `{"type":"location.created","workspace":"w","location":"south"}`},
	{"add a location where a template chose a role", `{"type":"location.created","workspace":"k","location":"kl"}`},
	{"add a region where a template chose a role", `{"type":"region.created","workspace":"k","region":"kr"}`},
	{"hold a role in a region, then add a location in it", `{"type":"region.created","workspace":"w","region":"coast"}
{"type":"staff.added","workspace":"w","user":"z","role":"receptionist","region":"coast"}
{"type":"location.created","workspace":"w","location":"east","region":"coast"}`},
	{"move a location into a region held by someone", `{"type":"region.created","workspace":"w","region":"coast"}
{"type":"role.assigned","workspace":"w","user":"r","role":"front","region":"coast"}
{"type":"location.moved","workspace":"w","location":"north","region":"coast"}`},
	{"add staff at a location until an end", `{"type":"staff.added","workspace":"w","user":"z","role":"receptionist","location":"north","expires_at":"2099-01-01T00:00:00Z"}`},
	{"add a locum from a later day", `{"type":"staff.added","workspace":"w","user":"z","role":"practitioner","starts_at":"2098-01-05T08:00:00Z","expires_at":"2098-01-19T18:00:00Z"}`},
	{"give a second role from after the first ends", `{"type":"staff.added","workspace":"w","user":"z","role":"receptionist","expires_at":"2098-01-01T00:00:00Z"}
{"type":"role.assigned","workspace":"w","user":"z","role":"front","starts_at":"2098-06-01T00:00:00Z"}`},
	{"disable staff with notes access for a client", `{"type":"staff.disabled","workspace":"w","user":"r"}`},
	{"enable staff", `{"type":"staff.disabled","workspace":"w","user":"r"}
{"type":"staff.enabled","workspace":"w","user":"r"}`},
	{"remove a practitioner with a client, a note and a share", `{"type":"staff.removed","workspace":"w","user":"p"}`},
	{"refuse removing the owner", `{"type":"staff.removed","workspace":"w","user":"o"}`},
	{"assign a role", `{"type":"role.assigned","workspace":"w","user":"r","role":"front"}`},
	{"revoke a role", `{"type":"role.revoked","workspace":"w","user":"q","role":"practitioner","location":"north"}`},
	{"update a role", `{"type":"role.updated","workspace":"w","role":"receptionist","grants":{"reports":"all"}}`},
	{"refuse changing a fixed area", `{"type":"role.updated","workspace":"w","role":"accountant","grants":{"notes":"all"}}`},
	{"set a fixed area back to the preset's level", `{"type":"role.updated","workspace":"k","role":"scheduler","grants":{"products":"none"}}`},
	{"refuse a scheduler a report of money", `{"type":"role.updated","workspace":"k","role":"scheduler","grants":{"payments_report":"all"}}`},
	{"define an heir", `{"type":"role.defined","workspace":"w","role":"lead","inherits":"front","grants":{"invoices":{"view":"all"}}}`},
	{"define a bookable role from scratch and book its holder", `{"type":"role.defined","workspace":"w","role":"lead","grants":{"appointments":"own","clients":"own"},"calendar":true}
{"type":"role.assigned","workspace":"w","user":"r","role":"lead"}
{"type":"appointment.booked","workspace":"w","appointment":"a","client":"c","practitioner":"r"}`},
	{"refuse booking the holder of an heir defined without its parent's calendar", `{"type":"role.defined","workspace":"w","role":"assistant","inherits":"practitioner","calendar":false}
{"type":"staff.added","workspace":"w","user":"x","role":"assistant"}
{"type":"appointment.booked","workspace":"w","appointment":"a","client":"c","practitioner":"x"}`},
	{"delete a custom role", `{"type":"role.deleted","workspace":"w","role":"front"}`},
	{"switch a Cliniko setting on", `{"type":"setting.changed","workspace":"k","setting":"practitioners_cannot_see_financials","value":"on"}`},
	{"switch an office staff permission on", `{"type":"staff_permission.changed","workspace":"s","user":"ss","permission":"view_invoices","value":"on"}`},
	{"switch an administrator's permission off", `{"type":"staff_permission.changed","workspace":"s","user":"sa","permission":"view_invoices","value":"off"}`},
	{"refuse break-glass to a role that reads no notes", `{"type":"role.updated","workspace":"w","role":"receptionist","grants":{"break_glass":"all"}}`},
	{"give break-glass to a role that reads notes", `{"type":"role.defined","workspace":"w","role":"locum","grants":{"notes":{"view":"own"},"break_glass":{"open":"all"}}}`},
	{"a role that stops reading notes loses break-glass", `{"type":"role.updated","workspace":"w","role":"practitioner","grants":{"notes":"none"}}`},
	{"a role that starts reading notes has break-glass", `{"type":"role.updated","workspace":"w","role":"receptionist","grants":{"notes":{"view":"all"}}}`},
	{"a role that starts reading notes without break-glass", `{"type":"role.updated","workspace":"w","role":"receptionist","grants":{"notes":{"view":"all"},"break_glass":"none"}}`},
	{"a role given notes access has break-glass", `{"type":"notes_access.granted","workspace":"w","role":"receptionist"}`},
	{"an heir that keeps break-glass off when its parent starts reading notes", `{"type":"role.defined","workspace":"w","role":"desk","inherits":"receptionist","grants":{"break_glass":"none"}}
{"type":"staff.added","workspace":"w","user":"dk","role":"desk"}
{"type":"role.updated","workspace":"w","role":"receptionist","grants":{"notes":{"view":"all"}}}`},
	{"refuse an edit without its view", `{"type":"role.updated","workspace":"s","role":"office_staff","grants":{"invoices":{"edit":"all"}}}`},
	{"write a letter", `{"type":"letter.created","workspace":"w","letter":"l","client":"c","author":"p"}`},
	{"upload a file", `{"type":"file.uploaded","workspace":"w","file":"f","client":"c","author":"p"}`},
	{"complete a form of a template", `{"type":"form.completed","workspace":"w","form":"fm","client":"c","template":"t"}`},
	{"restrict a template", `{"type":"form_template.restricted","workspace":"w","template":"t","value":"on"}`},
	{"let a role see a template's forms", `{"type":"form_template.access_granted","workspace":"w","template":"t","role":"front"}`},
	{"refuse a Cliniko scheduler a template's forms", `{"type":"form_template.access_granted","workspace":"k","template":"kt","role":"scheduler"}`},
	{"take a template's forms from a role", `{"type":"form_template.access_revoked","workspace":"w","template":"t","role":"front"}`},
	{"record an expense", `{"type":"expense.created","workspace":"w","expense":"e","author":"r"}`},
	{"post a message on the dashboard", `{"type":"message.posted","workspace":"w","message":"m","author":"r"}`},
	{"refuse a message posted by someone not on staff", `{"type":"message.posted","workspace":"w","message":"m","author":"nobody"}`},
	{"create a service account with a role", `{"type":"service_account.created","workspace":"w","account":"reports","name":"Reporting tool","role":"accountant"}`},
	{"create a service account at a location until an end", `{"type":"service_account.created","workspace":"w","account":"kiosk","name":"Check-in kiosk","role":"receptionist","location":"north","expires_at":"2099-01-01T00:00:00Z"}`},
	{"give a service account another role, then disable it", `{"type":"service_account.created","workspace":"w","account":"sync","name":"Sync"}
{"type":"role.assigned","workspace":"w","user":"service_account:sync","role":"front"}
{"type":"staff.disabled","workspace":"w","user":"service_account:sync"}`},
	{"delete a service account", `{"type":"service_account.created","workspace":"w","account":"gone","name":"Old widget","role":"receptionist"}
{"type":"service_account.deleted","workspace":"w","account":"gone"}`},
	{"refuse reusing a deleted service account's ID", `{"type":"service_account.created","workspace":"w","account":"gone","name":"Old widget"}
{"type":"service_account.deleted","workspace":"w","account":"gone"}
{"type":"service_account.created","workspace":"w","account":"gone","name":"New widget"}`},
	{"refuse a service account ID another practice holds", `{"type":"service_account.created","workspace":"w","account":"shared","name":"A"}
{"type":"service_account.created","workspace":"k","account":"shared","name":"B"}`},
	{"refuse a service account a role that can never be disabled", `{"type":"service_account.created","workspace":"w","account":"boss","name":"Boss","role":"practitioner_admin"}`},
	{"create a client", `{"type":"client.created","workspace":"w","client":"c2","location":"north","practitioner":"q"}`},
	{"delete a client", `{"type":"client.deleted","workspace":"w","client":"c"}`},
	{"assign a practitioner to a client", `{"type":"client.practitioner_assigned","workspace":"w","client":"c","user":"q"}`},
	{"unassign a practitioner", `{"type":"client.practitioner_unassigned","workspace":"w","client":"c","user":"p"}`},
	{"share a patient", `{"type":"patient.shared","workspace":"w","client":"c","user":"r"}`},
	{"share a patient until a day", `{"type":"patient.shared","workspace":"w","client":"c","user":"r","expires_at":"2099-01-01T00:00:00Z"}`},
	{"share a patient from a day", `{"type":"patient.shared","workspace":"w","client":"c","user":"r","starts_at":"2098-01-01T00:00:00Z"}`},
	{"unshare a patient", `{"type":"patient.unshared","workspace":"w","client":"c","user":"q"}`},
	{"unshare a patient shared until a day", `{"type":"patient.shared","workspace":"w","client":"c","user":"r","expires_at":"2099-01-01T00:00:00Z"}
{"type":"patient.unshared","workspace":"w","client":"c","user":"r"}`},
	{"give a role notes access", `{"type":"notes_access.granted","workspace":"w","role":"receptionist"}`},
	{"give notes access for one client", `{"type":"notes_access.granted","workspace":"w","user":"q","client":"c"}`},
	{"choose a role for a template until a day", `{"type":"form_template.access_granted","workspace":"k","template":"kt2","role":"receptionist","expires_at":"2099-01-01T00:00:00Z"}`},
	{"give notes access for one client until a day", `{"type":"notes_access.granted","workspace":"w","user":"q","client":"c","expires_at":"2099-01-01T00:00:00Z"}`},
	{"set an inactivity policy", `{"type":"policy.set","workspace":"w","inactivity_days":30}`},
	{"see staff under an inactivity policy", `{"type":"policy.set","workspace":"w","inactivity_days":30}
{"type":"staff.seen","workspace":"w","user":"r","at":"2026-12-01T09:00:00Z"}
{"type":"staff.seen","workspace":"w","user":"o"}`},
	{"refuse a sign-in older than the policy's days", `{"type":"policy.set","workspace":"w","inactivity_days":1}
{"type":"staff.seen","workspace":"w","user":"r","at":"2026-12-03T23:59:59Z"}`},
	{"change the inactivity policy's days", `{"type":"policy.set","workspace":"w","inactivity_days":30}
{"type":"staff.seen","workspace":"w","user":"r","at":"2026-12-01T09:00:00Z"}
{"type":"policy.set","workspace":"w","inactivity_days":7}`},
	{"turn the inactivity policy off", `{"type":"policy.set","workspace":"w","inactivity_days":30}
{"type":"policy.set","workspace":"w","inactivity_days":0}`},
	{"see staff without an inactivity policy", `{"type":"staff.seen","workspace":"w","user":"r"}`},
	{"give notes access for one client from a day", `{"type":"notes_access.granted","workspace":"w","user":"q","client":"c","starts_at":"2098-01-01T00:00:00Z","expires_at":"2099-01-01T00:00:00Z"}`},
	{"take notes access for one client", `{"type":"notes_access.revoked","workspace":"w","user":"r","client":"c"}`},
	{"refuse notes access to someone who never reads notes", `{"type":"staff.added","workspace":"k","user":"ks","role":"scheduler"}
{"type":"client.created","workspace":"k","client":"kc"}
{"type":"notes_access.granted","workspace":"k","user":"ks","client":"kc"}`},
	{"write a note", `{"type":"note.created","workspace":"w","note":"n2","client":"c","author":"q"}`},
	{"finalize a note", `{"type":"note.finalized","workspace":"w","note":"n"}`},
	{"book an appointment", `{"type":"appointment.booked","workspace":"w","appointment":"a","client":"c","practitioner":"p"}`},
	{"refuse booking someone without a calendar", `{"type":"appointment.booked","workspace":"w","appointment":"a","client":"c","practitioner":"r"}`},
	{"invoice a client", `{"type":"invoice.created","workspace":"w","invoice":"i","client":"c","practitioner":"p"}`},
	{"open a client's record in an emergency", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"collapsed in the waiting room","minutes":30}`},
	{"open a record in an emergency until a time", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"on call","expires_at":"2026-12-05T02:00:00Z"}`},
	{"refuse an opening longer than the cap", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"on call","expires_at":"2026-12-05T04:00:01Z"}`},
	{"send the same opening again", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"collapsed"}
{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"collapsed"}`},
	{"refuse another opening under a taken id", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"collapsed"}
{"type":"break_glass.opened","workspace":"w","id":"bg","user":"r","client":"c","reason":"collapsed"}`},
	{"refuse opening a record for someone who is not staff", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"ka","client":"c","reason":"collapsed"}`},
	{"close an opening early", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"collapsed"}
{"type":"break_glass.closed","workspace":"w","id":"bg"}`},
	{"close a stored opening", `{"type":"break_glass.closed","workspace":"w","id":"bg0"}`},
	{"review a stored opening", `{"type":"break_glass.reviewed","workspace":"w","id":"bg0","outcome":"justified","note":"checked"}`},
	{"delete a client with an open opening, which closes it", `{"type":"client.deleted","workspace":"w","client":"c"}`},
	{"remove staff with an open opening, which closes it", `{"type":"staff.removed","workspace":"w","user":"q"}`},
	{"designate a backup owner", `{"type":"backup_owner.designated","workspace":"w","user":"p"}`},
	{"refuse the owner as backup owner", `{"type":"backup_owner.designated","workspace":"w","user":"o"}`},
	{"claim the ownership", `{"type":"backup_owner.designated","workspace":"w","user":"p"}
{"type":"ownership.claimed","workspace":"w","reason":"o is unreachable"}`},
	{"approve a claim of the ownership", `{"type":"backup_owner.designated","workspace":"w","user":"p"}
{"type":"ownership.claimed","workspace":"w","reason":"o is unreachable"}
{"type":"ownership.claim_approved","workspace":"w"}`},
	{"refuse approving when no claim waits", `{"type":"ownership.claim_approved","workspace":"w"}`},
	{"reject a claim of the ownership", `{"type":"backup_owner.designated","workspace":"w","user":"p"}
{"type":"ownership.claimed","workspace":"w","reason":"o is unreachable"}
{"type":"ownership.claim_rejected","workspace":"w"}`},
	{"designate another backup owner, which ends the waiting claim", `{"type":"backup_owner.designated","workspace":"w","user":"p"}
{"type":"ownership.claimed","workspace":"w","reason":"o is unreachable"}
{"type":"backup_owner.designated","workspace":"w","user":"q"}`},
	{"refuse a backup owner who could never be the owner", `{"type":"backup_owner.designated","workspace":"w","user":"ka"}`},
	{"remove the backup owner with their claim", `{"type":"backup_owner.designated","workspace":"w","user":"p"}
{"type":"ownership.claimed","workspace":"w","reason":"o is unreachable"}
{"type":"staff.removed","workspace":"w","user":"p"}`},
	{"ask for a refund", `{"type":"refund.requested","workspace":"w","refund":"rf1","invoice":"i0"}`},
	{"ask for the same refund again", `{"type":"refund.requested","workspace":"w","refund":"rf0","invoice":"i0"}`},
	{"refuse another refund under a taken id", `{"type":"invoice.created","workspace":"w","invoice":"i1","client":"c"}
{"type":"refund.requested","workspace":"w","refund":"rf0","invoice":"i1"}`},
	{"refuse a refund of an unknown invoice", `{"type":"refund.requested","workspace":"w","refund":"rf1","invoice":"nope"}`},
	{"approve a refund", `{"type":"refund.approved","workspace":"w","refund":"rf0"}`},
	{"approve and process a refund", `{"type":"refund.approved","workspace":"w","refund":"rf0"}
{"type":"refund.processed","workspace":"w","refund":"rf0"}`},
	{"refuse approving an unknown refund", `{"type":"refund.approved","workspace":"w","refund":"nope"}`},
	{"set a manager", `{"type":"staff.manager_set","workspace":"w","user":"r","manager":"p"}`},
	{"refuse a manager who is managed by their report", `{"type":"staff.manager_set","workspace":"w","user":"r","manager":"p"}
{"type":"staff.manager_set","workspace":"w","user":"p","manager":"q"}
{"type":"staff.manager_set","workspace":"w","user":"q","manager":"r"}`},
	{"refuse a manager who is not staff", `{"type":"staff.manager_set","workspace":"w","user":"r","manager":"ka"}`},
	{"clear a manager", `{"type":"staff.manager_set","workspace":"w","user":"r","manager":"p"}
{"type":"staff.manager_cleared","workspace":"w","user":"r","manager":"p"}`},
	{"clear a stored manager", `{"type":"staff.manager_cleared","workspace":"w","user":"q","manager":"p"}`},
	{"remove a manager, who manages no one after", `{"type":"staff.manager_set","workspace":"w","user":"r","manager":"q"}
{"type":"staff.removed","workspace":"w","user":"q"}`},
	{"ask for access", `{"type":"access.requested","workspace":"w","request":"ar1","user":"p","role":"front","location":"north","reason":"covering north","minutes":30}`},
	{"ask for the same access again", `{"type":"access.requested","workspace":"w","request":"ar0","user":"r","role":"front","reason":"cover the front desk","minutes":60}
{"type":"staff.manager_set","workspace":"w","user":"q","manager":"p"}`},
	{"refuse another request under a taken id", `{"type":"access.requested","workspace":"w","request":"ar0","user":"p","role":"front","reason":"cover","minutes":60}`},
	{"refuse asking for a guarded role", `{"type":"access.requested","workspace":"w","request":"ar1","user":"p","role":"practitioner_admin","reason":"cover","minutes":60}`},
	{"refuse asking for a role held already", `{"type":"access.requested","workspace":"w","request":"ar1","user":"r","role":"receptionist","reason":"cover","minutes":60}`},
	{"refuse asking under two approvals without a manager", `{"type":"policy.set","workspace":"w","approvals_required":2}
{"type":"access.requested","workspace":"w","request":"ar1","user":"p","role":"front","reason":"cover","minutes":60}`},
	{"ask under two approvals, approved by the manager then another", `{"type":"policy.set","workspace":"w","approvals_required":2}
{"type":"staff.manager_set","workspace":"w","user":"p","manager":"q"}
{"type":"access.requested","workspace":"w","request":"ar1","user":"p","role":"front","reason":"cover","minutes":60}
{"type":"access.approved","workspace":"w","request":"ar1"}
{"type":"access.approved","workspace":"w","request":"ar1","reason":"ok"}`},
	{"approve a request, which gives the role until its end", `{"type":"access.approved","workspace":"w","request":"ar0","reason":"short-staffed"}`},
	{"approve a request at a location for once", `{"type":"access.approved","workspace":"w","request":"arn"}`},
	{"use a one-time grant", `{"type":"access.approved","workspace":"w","request":"arn"}
{"type":"access.consumed","workspace":"w","request":"arn"}`},
	{"refuse using a grant not approved", `{"type":"access.consumed","workspace":"w","request":"arn"}`},
	{"refuse lending a one-time grant", `{"type":"access.approved","workspace":"w","request":"arn"}
{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","roles":["front"],"starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`},
	{"lend every role but a one-time grant", `{"type":"access.approved","workspace":"w","request":"arn"}
{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`},
	{"deny a request", `{"type":"access.denied","workspace":"w","request":"ar0","reason":"not needed"}`},
	{"refuse changing a decision", `{"type":"access.approved","workspace":"w","request":"ar0"}
{"type":"access.denied","workspace":"w","request":"ar0"}`},
	{"refuse approving an unknown request", `{"type":"access.approved","workspace":"w","request":"nope"}`},
	{"remove a requester, whose waiting request is cancelled", `{"type":"staff.removed","workspace":"w","user":"r"}`},
	{"keep the inactivity policy when setting approvals", `{"type":"policy.set","workspace":"w","inactivity_days":30}
{"type":"policy.set","workspace":"w","approvals_required":2}`},
	{"lend a role, whose access the delegate acts with", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","roles":["practitioner"],"starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`},
	{"lend every role held at a location, from a later start", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"q","to":"r","starts_at":"2027-03-01T00:00:00Z","expires_at":"2027-04-01T00:00:00Z"}`},
	{"lend the same again", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}
{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`},
	{"refuse another delegation under a taken id", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}
{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"q","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`},
	{"refuse lending a role not held", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"r","to":"p","roles":["practitioner"],"starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`},
	{"refuse lending to oneself", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"p","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`},
	{"refuse lending for more than a year", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2028-01-03T00:00:00Z"}`},
	{"refuse lending from more than a year on", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2028-01-01T00:00:00Z","expires_at":"2028-01-03T00:00:00Z"}`},
	{"revoke a delegation", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}
{"type":"delegation.revoked","workspace":"w","delegation":"d1"}`},
	{"refuse revoking an unknown delegation", `{"type":"delegation.revoked","workspace":"w","delegation":"nope"}`},
	{"revoke the lent role from the lender, which ends the delegation", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}
{"type":"role.revoked","workspace":"w","user":"p","role":"practitioner"}`},
	{"remove a delegate, which ends the delegation", `{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}
{"type":"staff.removed","workspace":"w","user":"r"}`},
	{"remove a lender, which ends the delegation and its delegate's access", `{"type":"staff.removed","workspace":"s","user":"sa"}`},
	{"revoke the lender's lent role, which ends the delegation", `{"type":"role.revoked","workspace":"s","user":"sa","role":"practice_administrator"}`},
	{"see a lender, whose delegate's access follows their activity", `{"type":"policy.set","workspace":"s","inactivity_days":30}
{"type":"staff.seen","workspace":"s","user":"sa"}`},
	{"disable a lender, which reads their delegations and delegates", `{"type":"staff.disabled","workspace":"s","user":"sa"}`},
	{"give a delegate a role, which reads their lender", `{"type":"role.assigned","workspace":"s","user":"ss","role":"practice_administrator"}`},
	{"refuse closing an opening that does not exist", `{"type":"break_glass.closed","workspace":"w","id":"nobg"}`},
	{"review an open opening as unjustified, which closes it", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"curious"}
{"type":"break_glass.reviewed","workspace":"w","id":"bg","outcome":"unjustified","note":"no emergency"}`},
	{"set a review policy, under which everyone's next review falls due", `{"type":"policy.set","workspace":"w","review_every_days":90}`},
	{"shorten the review policy, then turn it off", `{"type":"policy.set","workspace":"w","review_every_days":90}
{"type":"policy.set","workspace":"w","review_every_days":30}
{"type":"policy.set","workspace":"w","review_every_days":0}`},
	{"add staff under a review policy", `{"type":"policy.set","workspace":"w","review_every_days":90}
{"type":"staff.added","workspace":"w","user":"n","role":"receptionist"}`},
	{"review and keep someone's access", `{"type":"policy.set","workspace":"w","review_every_days":90}
{"type":"access.reviewed","workspace":"w","user":"q","outcome":"keep","note":"still needed"}`},
	{"review someone's access and revoke a share and a holding", `{"type":"access.reviewed","workspace":"w","user":"q","outcome":"revoke","items":["share:c","role:practitioner@north"]}`},
	{"review someone's access and revoke everything", `{"type":"access.reviewed","workspace":"w","user":"q","outcome":"revoke"}`},
	{"review a delegate's access and revoke the delegation", `{"type":"access.reviewed","workspace":"s","user":"ss","outcome":"revoke","items":["delegation:sd"]}`},
	{"refuse revoking a grant not held", `{"type":"access.reviewed","workspace":"w","user":"r","outcome":"revoke","items":["share:c"]}`},
	{"refuse naming grants to keep", `{"type":"access.reviewed","workspace":"w","user":"r","outcome":"keep","items":["notes:c"]}`},
	{"review office staff, revoking their role and a switch", `{"type":"staff_permission.changed","workspace":"s","user":"ss","permission":"view_practitioners","value":"on"}
{"type":"access.reviewed","workspace":"s","user":"ss","outcome":"revoke","items":["role:office_staff","switch:view_practitioners"]}`},
	{"review office staff, revoking everything", `{"type":"staff_permission.changed","workspace":"s","user":"ss","permission":"view_practitioners","value":"on"}
{"type":"access.reviewed","workspace":"s","user":"ss","outcome":"revoke"}`},
	{"share again until later, which records who shared it again", `{"type":"patient.shared","workspace":"w","client":"c","user":"q","expires_at":"2027-06-01T00:00:00Z"}`},
	{"change a role's hours and share, which credits the share alone", `{"type":"role.updated","workspace":"w","role":"front","hours":{"timezone":"Australia/Sydney","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}}
{"type":"patient.shared","workspace":"w","client":"c","user":"p"}`},
	{"transfer the ownership to someone with a manager, who has none after", `{"type":"role.assigned","workspace":"w","user":"p","role":"practitioner_admin"}
{"type":"staff.manager_set","workspace":"w","user":"p","manager":"r"}
{"type":"ownership.transferred","workspace":"w","to":"p"}`},
	{"limit receptionists to a network, which r's notes access to client c follows", `{"type":"role.updated","workspace":"w","role":"receptionist","networks":["10.0.0.0/8"]}`},
	{"refuse a manager for the account owner", `{"type":"staff.manager_set","workspace":"w","user":"o","manager":"p"}`},
	{"remove someone reviewed, whose review goes", `{"type":"access.reviewed","workspace":"w","user":"r","outcome":"keep"}
{"type":"staff.removed","workspace":"w","user":"r"}`},
	{"refuse changing a review", `{"type":"break_glass.opened","workspace":"w","id":"bg","user":"q","client":"c","reason":"collapsed"}
{"type":"break_glass.reviewed","workspace":"w","id":"bg","outcome":"justified"}
{"type":"break_glass.reviewed","workspace":"w","id":"bg","outcome":"unjustified"}`},
}

func init() {
	// One person may have MaxWaitingRequests waiting: the next is refused.
	var b strings.Builder
	for i := range domain.MaxWaitingRequests {
		fmt.Fprintf(&b, `{"type":"access.requested","workspace":"w","request":"many%d","user":"q","role":"front","reason":"cover","minutes":5}`+"\n", i)
	}
	// One person lends at most MaxDelegations in force: the next is refused.
	var d strings.Builder
	for i := range domain.MaxDelegations {
		fmt.Fprintf(&d, `{"type":"delegation.granted","workspace":"w","delegation":"many%d","from":"p","to":"r","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`+"\n", i)
	}
	planCases = append(planCases, planCase{"refuse one delegation more than one person may lend (event 10)", d.String() + `{"type":"delegation.granted","workspace":"w","delegation":"more","from":"p","to":"q","starts_at":"2027-01-01T00:00:00Z","expires_at":"2027-02-01T00:00:00Z"}`})
	planCases = append(planCases, planCase{"refuse one request more than may wait (event 20)", b.String() + `{"type":"access.requested","workspace":"w","request":"more","user":"q","role":"front","reason":"cover","minutes":5}`})
}

// TestPlans pins what each event type reads, writes and refuses, without
// SpiceDB: the reads (domain.Needs' three rounds), the plan made from only
// what they read (which must equal the plan made from everything, or a read
// is missing), and the refusal. Access written out for each person is
// counted, not listed. Each plans as it would if it rewrote everyone's
// access (domain.PlanForEveryone).
func TestPlans(t *testing.T) {
	t.Parallel()
	base, _ := apply(t, domain.NewState(), asActor(parse(t, planBase)))
	seen := map[string]bool{}
	var b strings.Builder
	for _, pc := range planCases {
		events, resolveErr := domain.ResolveEvents(asActor(parse(t, pc.events)), base)
		if resolveErr != nil {
			e := resolveErr.(*domain.Error)
			fmt.Fprintf(&b, "== %s\nrefused before reading: %s, event %d, field %q: %s\n\n", pc.name, e.Code, e.Index, e.Field, e.Message)
			continue
		}
		for _, e := range events {
			seen[e.Type] = true
		}
		needs := domain.NeedsOf(events)
		read, filters := loadFrom(base, needs)
		fmt.Fprintf(&b, "== %s\n", pc.name)
		for _, round := range filters {
			fmt.Fprintf(&b, "reads: %s\n", strings.Join(round, " "))
		}
		plan, err := domain.PlanEvents(events, read)
		whole, wholeErr := domain.PlanEvents(events, base)
		if !samePlan(plan, err, whole, wholeErr) {
			t.Errorf("%s: planned from what it reads: %d touched, %d deleted, %v; from everything: %d, %d, %v",
				pc.name, len(plan.Touch), len(plan.Delete), err, len(whole.Touch), len(whole.Delete), wholeErr)
		}
		if all, allErr := domain.PlanForEveryone(events, base); !samePlan(all, allErr, whole, wholeErr) {
			t.Errorf("%s: planned: +%v -%v %v; rewriting everyone's access: +%v -%v %v", pc.name, whole.Touch, whole.Delete, wholeErr, all.Touch, all.Delete, allErr)
		}
		if err != nil {
			e := err.(*domain.Error)
			fmt.Fprintf(&b, "refused: %s, event %d, field %q: %s\n\n", e.Code, e.Index, e.Field, e.Message)
			continue
		}
		writeChanges(&b, "+", plan.Touch)
		writeChanges(&b, "-", plan.Delete)
		b.WriteString("\n")
	}
	for typ := range domain.EventTypes {
		if !seen[typ] {
			t.Errorf("no planner case names %s: add one to planCases", typ)
		}
	}
	golden.Check(t, "testdata/plans.golden", []byte(b.String()), "go generate ./internal/domain")
}

// planActor is the actor the plan cases are sent by (whether they may is
// the schema's to say, which the scenarios ask): their steps record them.
const planActor = "user:o"

func asActor(events []domain.Event) []domain.Event {
	for i := range events {
		events[i].Actor = planActor
	}
	return events
}

// loadFrom reads from s what needs asks, round by round, as the service
// reads from the store, and returns what it read and each round's filters.
func loadFrom(s *domain.State, needs domain.Needs) (*domain.State, [][]string) {
	var rounds [][]string
	read := needs.ReadFrom(s, func(round []domain.Filter) {
		names := make([]string, len(round))
		for i, f := range round {
			names[i] = f.String()
		}
		rounds = append(rounds, names)
	})
	return read, rounds
}

// writeChanges lists changes: each one, but access written out for a person
// (a capability relation of a workspace or location naming a user), which is
// counted per resource and person.
func writeChanges(b *strings.Builder, sign string, rels []domain.Relationship) {
	access := map[string]int{}
	for _, r := range rels {
		if isWrittenOut(r) {
			access[fmt.Sprintf("%s access of %s on %s", sign, r.Subject, r.Resource)]++
			continue
		}
		fmt.Fprintf(b, "%s %s\n", sign, r)
	}
	for _, k := range slices.Sorted(maps.Keys(access)) {
		fmt.Fprintf(b, "%s: %d\n", k, access[k])
	}
}

// isWrittenOut reports whether r is access written out for a person: a
// capability relation of a workspace or location naming a user.
func isWrittenOut(r domain.Relationship) bool {
	return (r.Resource.Type == domain.TypeWorkspace || r.Resource.Type == domain.TypeLocation) && r.Subject.Type == domain.TypeUser &&
		strings.Contains(r.Relation, "_")
}

// imported is the state an import of jsonl's events writes.
func imported(t *testing.T, jsonl string) *domain.State {
	t.Helper()
	events, err := domain.ReadImport(strings.NewReader(jsonl))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := domain.PlanImport(events)
	if err != nil {
		t.Fatal(err)
	}
	return domain.NewState(plan.Touch...)
}

// TestRecordEventsReadWhatTheyName: an event that changes records only (or
// one person's notes access to one client, or one person's roles or
// standing, whose access alone it reads) reads
// the same relationships whether the practice has 30 staff or ten times as
// many, and plans from them what it plans from everything, one user named or
// twenty (past perUserReads, read a relation at a time), with a person whose
// access changes among them or not. A role's events read the written-out
// access of that role's holders alone, while they are few.
func TestRecordEventsReadWhatTheyName(t *testing.T) {
	t.Parallel()
	small := imported(t, scenarios.StaffedPractice(2, 14, 1))
	large := imported(t, scenarios.StaffedPractice(2, 140, 10))
	narrow := 0
	for _, c := range scenarios.Costs {
		events := parse(t, c.Events)
		needs := domain.NeedsOf(events)
		for name, s := range map[string]*domain.State{"30 staff": small, "300 staff": large} {
			read, _ := loadFrom(s, needs)
			plan, err := domain.PlanEvents(events, read)
			whole, wholeErr := domain.PlanEvents(events, s)
			if !samePlan(plan, err, whole, wholeErr) {
				t.Errorf("%s at %s: planned from what it reads: %d touched, %d deleted, %v; from everything: %d, %d, %v",
					c.Name, name, len(plan.Touch), len(plan.Delete), err, len(whole.Touch), len(whole.Delete), wholeErr)
			}
		}
		if !needs.Narrow {
			continue
		}
		narrow++
		smallRead, _ := loadFrom(small, needs)
		largeRead, _ := loadFrom(large, needs)
		persons := slices.Clone(needs.Persons)
		for _, ws := range needs.Workspaces {
			if needs.Owners { // a transfer rewrites the owner's access too
				persons = append(persons, domain.Practice{S: large, WS: ws}.Owner())
			}
		}
		for _, role := range needs.Roles { // a role's events, its holders'
			for _, r := range large.All() {
				if r.Resource.Type == domain.TypeRoleBinding && r.Relation == "member" && (r.Resource.ID == role.ID || strings.HasPrefix(r.Resource.ID, role.ID+"/")) {
					persons = append(persons, r.Subject.ID)
				}
			}
		}
		for _, r := range largeRead.All() {
			if isWrittenOut(r) && !slices.Contains(persons, r.Subject.ID) && len(persons) <= 16 {
				t.Errorf("%s reads written-out access of someone whose access it does not rewrite, %s", c.Name, r)
				break
			}
		}
		if a, b := len(smallRead.All()), len(largeRead.All()); a != b && len(needs.Users) <= 16 && len(needs.Roles) == 0 {
			t.Errorf("%s reads %d relationships at 30 staff and %d at 300: it should read only what it names", c.Name, a, b)
		}
	}
	if narrow < 15 {
		t.Errorf("only %d of the cost cases are read narrowly", narrow)
	}
}

// TestExplainReadsNarrowly: every explanation made from what ExplainNeeds
// reads (the resource, its client and template, the practice narrowly, the
// asker's standing) is the one made from everything, for every staff member,
// resource and permission of the planner's practices, some of them with
// switches, notes access, a shared patient and a restricted template.
func TestExplainReadsNarrowly(t *testing.T) {
	t.Parallel()
	base, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+`{"type":"form.completed","workspace":"w","form":"fm","client":"c","template":"t"}
{"type":"form_template.restricted","workspace":"w","template":"t","value":"on"}
{"type":"form_template.access_granted","workspace":"w","template":"t","role":"front"}
{"type":"letter.created","workspace":"w","letter":"l","client":"c","author":"q"}
{"type":"appointment.booked","workspace":"w","appointment":"a","client":"c","practitioner":"p"}
{"type":"staff_permission.changed","workspace":"s","user":"ss","permission":"view_invoices","value":"on"}
{"type":"staff.disabled","workspace":"w","user":"q"}`))
	users, objects := map[string]bool{}, map[domain.Object]bool{}
	for _, r := range base.All() {
		if r.Subject.Type == domain.TypeUser && r.Subject.ID != "*" {
			users[r.Subject.ID] = true
		}
		if _, ok := domain.Permissions[r.Resource.Type]; ok {
			objects[r.Resource] = true
		}
	}
	asked, allowed := 0, 0
	for u := range users {
		for o := range objects {
			own := domain.Needs{Objects: []domain.Object{o}}.ReadFrom(base, nil)
			var read *domain.State // what explaining u's questions about o reads, whatever the permission
			for _, p := range domain.Permissions[o.Type] {
				q := domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: u}, Permission: p.Name, Resource: o}
				if read == nil {
					read = domain.ExplainNeeds(own, q).ReadFrom(base, nil)
					for _, r := range own.All() {
						read.Add(r)
					}
				}
				got, want := domain.Explain(q, read), domain.Explain(q, base)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s %s %s: from what it reads %+v, from everything %+v", u, p.Name, o, got, want)
				}
				asked++
				if want.Allowed {
					allowed++
				}
			}
		}
	}
	if allowed == 0 || allowed == asked {
		t.Fatalf("degenerate: %d of %d allowed", allowed, asked)
	}
	t.Logf("%d questions, %d allowed, the same explanations from the narrow reads", asked, allowed)
}

// TestMatrixReadsNarrowly: each practice's matrix from what MatrixNeeds reads
// is the matrix from everything, custom roles and switches included.
func TestMatrixReadsNarrowly(t *testing.T) {
	t.Parallel()
	base, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+`{"type":"role.defined","workspace":"w","role":"lead","inherits":"front","grants":{"invoices":{"view":"all"}}}
{"type":"setting.changed","workspace":"k","setting":"practitioners_cannot_see_financials","value":"on"}
{"type":"staff_permission.changed","workspace":"s","user":"ss","permission":"view_invoices","value":"on"}`))
	for _, ws := range []string{"w", "k", "s"} {
		read := domain.MatrixNeeds(ws).ReadFrom(base, nil)
		got, want := domain.MatrixOf(domain.Practice{S: read, WS: ws}), domain.MatrixOf(domain.Practice{S: base, WS: ws})
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: from what it reads\n%s\nfrom everything\n%s", ws, got.Markdown(), want.Markdown())
		}
		if len(want.Roles) < 3 {
			t.Errorf("%s: %d roles", ws, len(want.Roles))
		}
	}
}

// narrowPool are event templates for TestNarrowReadsPlanAsEverything; each %s
// is filled from narrowPick by the field before it.
var narrowPool = []string{
	`{"type":"ownership.transferred","workspace":"%ws","to":"%user"}`,
	`{"type":"staff.added","workspace":"%ws","user":"%user","role":"%role"}`,
	`{"type":"staff.added","workspace":"%ws","user":"%user","role":"%role","location":"%loc","expires_at":"2097-01-01T00:00:00Z"}`,
	`{"type":"staff.added","workspace":"%ws","user":"%user","role":"%role","starts_at":"2096-01-01T00:00:00Z","expires_at":"2098-01-01T00:00:00Z"}`,
	`{"type":"role.assigned","workspace":"%ws","user":"%user","role":"%role","starts_at":"2098-06-01T00:00:00Z"}`,
	`{"type":"staff.disabled","workspace":"%ws","user":"%user"}`,
	`{"type":"policy.set","workspace":"%ws","inactivity_days":30}`,
	`{"type":"staff.seen","workspace":"%ws","user":"%user"}`,
	`{"type":"staff.enabled","workspace":"%ws","user":"%user"}`,
	`{"type":"staff.removed","workspace":"%ws","user":"%user"}`,
	`{"type":"role.assigned","workspace":"%ws","user":"%user","role":"%role","location":"%loc"}`,
	`{"type":"role.revoked","workspace":"%ws","user":"%user","role":"%role"}`,
	`{"type":"staff_permission.changed","workspace":"%ws","user":"%user","permission":"%switch","value":"on"}`,
	`{"type":"staff_permission.changed","workspace":"%ws","user":"%user","permission":"%switch","value":"off"}`,
	`{"type":"notes_access.granted","workspace":"%ws","user":"%user","client":"%client"}`,
	`{"type":"notes_access.revoked","workspace":"%ws","user":"%user","client":"%client"}`,
	`{"type":"client.created","workspace":"%ws","client":"%client","practitioner":"%user"}`,
	`{"type":"client.practitioner_assigned","workspace":"%ws","client":"%client","user":"%user"}`,
	`{"type":"patient.shared","workspace":"%ws","client":"%client","user":"%user"}`,
	`{"type":"note.created","workspace":"%ws","note":"%note","client":"%client","author":"%user"}`,
	`{"type":"appointment.booked","workspace":"%ws","appointment":"%note","client":"%client","practitioner":"%user"}`,
	`{"type":"client.deleted","workspace":"%ws","client":"%client"}`,
	`{"type":"role.defined","workspace":"%ws","role":"aide","grants":{"clients":{"view":"all"}}}`,
	`{"type":"role.defined","workspace":"%ws","role":"aide2","inherits":"aide","hours":{"timezone":"UTC","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}}`,
	`{"type":"role.assigned","workspace":"%ws","user":"%user","role":"aide"}`,
	`{"type":"role.assigned","workspace":"%ws","user":"%user","role":"aide2","location":"%loc"}`,
	`{"type":"role.updated","workspace":"%ws","role":"aide","grants":{"invoices":{"view":"all"}},"networks":["10.0.0.0/8"]}`,
	`{"type":"role.updated","workspace":"%ws","role":"%role","networks":["10.0.0.0/8"]}`,
	`{"type":"role.deleted","workspace":"%ws","role":"aide2"}`,
	`{"type":"delegation.granted","workspace":"%ws","delegation":"%deleg","from":"%user","to":"%user","expires_at":"%soon"}`,
	`{"type":"delegation.granted","workspace":"%ws","delegation":"%deleg","from":"%user","to":"%user","roles":["%role"],"expires_at":"%soon"}`,
	`{"type":"delegation.revoked","workspace":"%ws","delegation":"%deleg"}`,
	`{"type":"notes_access.granted","workspace":"%ws","role":"%role"}`,
	`{"type":"notes_access.revoked","workspace":"%ws","role":"%role"}`,
	`{"type":"notes_access.granted","workspace":"%ws","role":"aide"}`,
	`{"type":"notes_access.granted","workspace":"%ws","role":"aide2"}`,
}

var narrowPick = map[string][]string{
	"ws":     {"w", "k", "s"},
	"user":   {"o", "p", "q", "r", "z", "kp", "ka", "ss", "sa", "x"},
	"role":   {"practitioner", "receptionist", "front", "office_staff", "scheduler", "practice_administrator"},
	"loc":    {"north", "nowhere"},
	"switch": {"view_practitioners", "change_practitioners", "view_client_treatment_notes", "is_practice_administrator"},
	"client": {"c", "c9", "kc"},
	"note":   {"n", "n9"},
	"deleg":  {"d1", "d2", "d3"},
	// a delegation lasts at most a year from now
	"soon": {inDays(30), inDays(200)},
}

// randomEvent returns a maker of events: a template of pool, each %field in
// it filled with one of pick[field], chosen by rnd.
func randomEvent(rnd *rand.Rand, pool []string, pick map[string][]string) func() string {
	return func() string {
		tmpl := pool[rnd.IntN(len(pool))]
		// In a fixed order: ranging over the map drew different events from
		// the same seed on every run.
		for _, field := range slices.Sorted(maps.Keys(pick)) {
			values := pick[field]
			for strings.Contains(tmpl, "%"+field) {
				tmpl = strings.Replace(tmpl, "%"+field, values[rnd.IntN(len(values))], 1)
			}
		}
		return tmpl
	}
}

// TestNarrowReadsPlanAsEverything plans random batches of the events that
// read narrowly (records, notes access to one client, one staff member's
// events, a new owner), some naming more than perUserReads people, from what
// they read and from everything, over practices of three presets varied by
// random events first: the plans and refusals must be the same.
func TestNarrowReadsPlanAsEverything(t *testing.T) {
	t.Parallel()
	start, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+`{"type":"staff.added","workspace":"k","user":"p","role":"practitioner"}
{"type":"staff.added","workspace":"w","user":"x","role":"practitioner","expires_at":"2099-01-01T00:00:00Z"}
{"type":"role.assigned","workspace":"w","user":"x","role":"receptionist","location":"north","expires_at":"2098-01-01T00:00:00Z"}
{"type":"client.created","workspace":"k","client":"kc","practitioner":"kp"}
{"type":"staff_permission.changed","workspace":"s","user":"ss","permission":"view_practitioners","value":"on"}
{"type":"staff.disabled","workspace":"w","user":"q"}`+"\n"+manyStaff()))
	rnd := rand.New(rand.NewPCG(18, 3))
	planned, persons, many, manyPlanned := 0, 0, 0, 0
	batchDraw{start: start, rnd: rnd, event: randomEvent(rnd, narrowPool, narrowPick), warmup: 3, most: 4, narrowOnly: true,
		shape: func(lines []string) []string {
			if rnd.IntN(4) != 0 {
				return lines
			}
			lines = lines[:1] // one event among many shares
			for i := range perUserReads + 2 {
				lines = append(lines, fmt.Sprintf(`{"type":"patient.shared","workspace":"w","client":"c","user":"m%d"}`, i))
			}
			return lines
		}}.run(t, func(needs domain.Needs, _ []domain.Event, _ domain.Plan, err error) {
		planned++
		if len(needs.Persons) > 0 && err == nil {
			persons++
		}
		if len(needs.Users) > perUserReads {
			many++
			if err == nil {
				manyPlanned++
			}
		}
	})
	if persons < 30 || manyPlanned < 30 {
		t.Fatalf("too few interesting batches: %d planned, %d changing someone's access, %d naming many (%d not refused)", planned, persons, many, manyPlanned)
	}
	t.Logf("%d narrow batches planned alike, %d of them changing someone's access, %d naming more than %d people (%d not refused)", planned, persons, many, perUserReads, manyPlanned)
}

// manyStaff are more receptionists of practice w than perUserReads, m0 on.
func manyStaff() string {
	var b strings.Builder
	for i := range perUserReads + 2 {
		fmt.Fprintf(&b, `{"type":"staff.added","workspace":"w","user":"m%d","role":"receptionist"}`+"\n", i)
	}
	return b.String()
}

// plansAlike fails t unless events (lines) plan the same from read (what
// they read) and from base (everything), and the same as when each event
// reaches everyone (every person's access rewritten, every delegation
// followed); it returns the plan from everything, or its refusal.
func plansAlike(t *testing.T, lines []string, events []domain.Event, read, base *domain.State) (domain.Plan, error) {
	t.Helper()
	plan, err := domain.PlanEvents(events, read)
	whole, wholeErr := domain.PlanEvents(events, base)
	if !samePlan(plan, err, whole, wholeErr) {
		t.Fatalf("batch:\n%s\nfrom what it reads: +%v -%v %v\nfrom everything: +%v -%v %v",
			strings.Join(lines, "\n"), plan.Touch, plan.Delete, err, whole.Touch, whole.Delete, wholeErr)
	}
	all, allErr := domain.PlanForEveryone(events, base)
	if !samePlan(all, allErr, whole, wholeErr) {
		t.Fatalf("batch:\n%s\nplanned: +%v -%v %v\nrewriting everyone's access: +%v -%v %v",
			strings.Join(lines, "\n"), whole.Touch, whole.Delete, wholeErr, all.Touch, all.Delete, allErr)
	}
	return whole, wholeErr
}

// samePlan reports whether two plans, or their refusals, are the same.
func samePlan(a domain.Plan, aErr error, b domain.Plan, bErr error) bool {
	return fmt.Sprint(aErr) == fmt.Sprint(bErr) && slices.Equal(a.Touch, b.Touch) && slices.Equal(a.Delete, b.Delete)
}

// inDays is the time days from now, as events give it: delegations and
// their starts must fall within a year of now.
func inDays(days int) string {
	return time.Now().AddDate(0, 0, days).UTC().Format(time.RFC3339)
}

// perUserReads mirrors the domain's threshold past which named people are
// read a relation at a time.
const perUserReads = 16

// tryApply plans events against s and returns the state after them, or the
// refusal.
func tryApply(s *domain.State, events []domain.Event) (*domain.State, domain.Plan, error) {
	plan, err := domain.PlanEvents(events, s)
	if err != nil {
		return nil, plan, err
	}
	next := s.Clone()
	for _, r := range plan.Delete {
		next.Remove(r)
	}
	for _, r := range plan.Touch {
		next.Add(r)
	}
	return next, plan, nil
}

// TestDeletingALentRoleEndsItsLending: a role lent by someone whose holding
// of it ended by itself (SpiceDB no longer returns it, and nothing was
// written) stops being lent when the role is deleted, from what the deletion
// reads as from everything: the deletion reaches the role's lenders as well
// as its holders.
func TestDeletingALentRoleEndsItsLending(t *testing.T) {
	t.Parallel()
	exp := time.Now().AddDate(0, 0, 100).UTC().Format(time.RFC3339)
	s, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+fmt.Sprintf(`{"type":"staff.added","workspace":"w","user":"x","role":"receptionist"}
{"type":"role.assigned","workspace":"w","user":"r","role":"front","expires_at":"%s"}
{"type":"delegation.granted","workspace":"w","delegation":"d9","from":"r","to":"x","roles":["front"],"expires_at":"%s"}`, exp, exp)))
	runOut(s, "w", "front", "r")
	events := parse(t, `{"type":"role.deleted","workspace":"w","role":"front"}`)
	read, _ := loadFrom(s, domain.NeedsOf(events))
	for name, from := range map[string]*domain.State{"what it reads": read, "everything": s} {
		plan, err := domain.PlanEvents(events, from)
		if err != nil {
			t.Fatalf("from %s: %v", name, err)
		}
		lent := domain.Rel(domain.Object{Type: domain.TypeDelegation, ID: "w/d9"}, "role", domain.Object{Type: domain.TypeRole, ID: "w/front"})
		if !slices.ContainsFunc(plan.Delete, func(r domain.Relationship) bool { return r.Key() == lent.Key() }) {
			t.Errorf("planned from %s, deleting front leaves d9 lending it: -%v", name, plan.Delete)
		}
	}
}

// runOut removes user's holding of role in practice ws from s, as SpiceDB
// reads it once the holding has run out by itself (nothing written).
func runOut(s *domain.State, ws, role, user string) {
	for _, rel := range s.All() {
		if rel.Resource.Type == domain.TypeRoleBinding && rel.Resource.ID == ws+"/"+role && rel.Subject.ID == user {
			s.Remove(rel)
		}
	}
}

// TestLendingEndsWhenWhatItLendsRunsOut: a delegation lends the lender's own
// holdings; once the last of them runs out by itself, with no event to say
// so, the delegation is listed as ended then (not active until it expires),
// a revocation is told it ended, and the next event that reaches the
// lender records it ended at that moment. A holding made to last longer
// moves the end with it.
func TestLendingEndsWhenWhatItLendsRunsOut(t *testing.T) {
	t.Parallel()
	day := func(n int) time.Time { return parsedAt.AddDate(0, 0, n) }
	lend := func(t *testing.T, holdings string) (*domain.State, domain.Delegation) {
		t.Helper()
		s, _ := apply(t, domain.NewState(), parseAt(t, day(0), planBase+"\n"+holdings+"\n"+
			fmt.Sprintf(`{"type":"staff.added","workspace":"w","user":"x","role":"receptionist"}
{"type":"delegation.granted","workspace":"w","delegation":"d9","from":"p","to":"x","roles":["front"],"expires_at":%q}`, day(100).Format(time.RFC3339))))
		d, _ := domain.DelegationOf(s, domain.DelegationObject("w", "d9"))
		return s, d
	}
	until := func(n int) string {
		return fmt.Sprintf(`{"type":"role.assigned","workspace":"w","user":"p","role":"front","expires_at":%q}`, day(n).Format(time.RFC3339))
	}
	const lasts = -1 // it lends until it expires
	for _, tc := range []struct {
		name     string
		holdings string
		ends     int // the day it ends by itself, or lasts
	}{
		{"one holding that runs out", until(10), 10},
		{"a holding at a location that lasts longer", until(10) + "\n" + `{"type":"role.assigned","workspace":"w","user":"p","role":"front","location":"north","expires_at":"` + day(30).Format(time.RFC3339) + `"}`, 30},
		{"a holding with no end beside one that runs out", until(10) + "\n" + `{"type":"role.assigned","workspace":"w","user":"p","role":"front","location":"north"}`, lasts},
		{"a holding that outlasts the delegation", until(200), lasts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, d := lend(t, tc.holdings)
			if got := d.At(day(0).Add(-time.Second)).State; tc.ends != 0 && got != domain.DelegationActive {
				t.Fatalf("as granted: %s, want active", got)
			}
			later := d.At(day(99))
			if tc.ends == lasts {
				if later.State != domain.DelegationActive || len(later.Roles) != 1 {
					t.Errorf("on day 99: %s lending %v (%s), want active lending front", later.State, later.Roles, later.Why)
				}
				return
			}
			if later.State != domain.DelegationEnded || !later.EndedAt.Equal(day(tc.ends)) || !strings.Contains(later.Why, "p's own holding of front ran out") ||
				len(later.Roles) != 0 || !slices.Equal(later.Dropped, []string{"front"}) {
				t.Errorf("on day 99: %s at %v (%q) lending %v, dropped %v; want ended on day %d because p's holding ran out, front dropped", later.State, later.EndedAt, later.Why, later.Roles, later.Dropped, tc.ends)
			}
		})
	}

	t.Run("a holding made to last longer moves the end", func(t *testing.T) {
		s, _ := lend(t, until(10))
		s, _ = apply(t, s, parseAt(t, day(5), until(40)))
		d, _ := domain.DelegationOf(s, domain.DelegationObject("w", "d9"))
		if d.LendsUntil == nil || !d.LendsUntil.Equal(day(40)) || d.At(day(20)).State != domain.DelegationActive {
			t.Errorf("after p's holding is made to last to day 40: lends until %v, %s on day 20", d.LendsUntil, d.At(day(20)).State)
		}
	})

	t.Run("a holding that starts only after the delegation expires lends nothing", func(t *testing.T) {
		s, _ := apply(t, domain.NewState(), parseAt(t, day(0), planBase+"\n"+`{"type":"staff.added","workspace":"w","user":"x","role":"receptionist"}
{"type":"role.assigned","workspace":"w","user":"p","role":"front","starts_at":"`+day(150).Format(time.RFC3339)+`"}`))
		_, err := domain.PlanEvents(parseAt(t, day(0), fmt.Sprintf(`{"type":"delegation.granted","workspace":"w","delegation":"d9","from":"p","to":"x","roles":["front"],"expires_at":%q}`, day(100).Format(time.RFC3339))), s)
		if domain.ErrorCode(err) != domain.CodeConflict || !strings.Contains(err.Error(), "p holds front only outside the delegation's times") {
			t.Errorf("lending it: %v, want a conflict saying p holds front only outside the delegation's times", err)
		}
	})

	t.Run("an event that leaves nothing to lend ends it in its write", func(t *testing.T) {
		s, _ := lend(t, until(200))
		s, _ = apply(t, s, parseAt(t, day(5), `{"type":"role.assigned","workspace":"w","user":"p","role":"front","starts_at":"`+day(150).Format(time.RFC3339)+`"}`))
		obj := domain.DelegationObject("w", "d9")
		d, _ := domain.DelegationOf(s, obj)
		if d.State != domain.DelegationEnded || d.EndedAt == nil || !d.EndedAt.Equal(day(5)) || d.Why != "p's holdings of front no longer fall within the delegation's times" {
			t.Errorf("after p's holding of front is moved past the delegation on day 5: %s at %v (%q), want ended on day 5", d.State, d.EndedAt, d.Why)
		}
		for _, rel := range []string{"lender", "delegate", "invitee", "role"} {
			if got := s.Of(obj, rel); len(got) > 0 {
				t.Errorf("the ended delegation keeps %v", got)
			}
		}
	})

	t.Run("after it ran out", func(t *testing.T) {
		s, _ := lend(t, until(10))
		runOut(s, "w", "front", "p")
		_, err := domain.PlanEvents(parseAt(t, day(20), `{"type":"delegation.revoked","workspace":"w","delegation":"d9"}`), s)
		if domain.ErrorCode(err) != domain.CodeConflict || !strings.Contains(err.Error(), "ended already at "+day(10).Format(time.RFC3339)) {
			t.Errorf("revoking it on day 20: %v, want a conflict saying it ended on day 10", err)
		}
		// the next event that reaches p records the end as it was
		s, _ = apply(t, s, parseAt(t, day(20), until(40)))
		d, _ := domain.DelegationOf(s, domain.DelegationObject("w", "d9"))
		if d.State != domain.DelegationEnded || d.EndedAt == nil || !d.EndedAt.Equal(day(10)) || d.At(day(30)).State != domain.DelegationEnded ||
			len(d.Roles) != 0 || !slices.Equal(d.Dropped, []string{"front"}) {
			t.Errorf("after p is given front again on day 20: %s at %v (%q) lending %v, dropped %v; want ended on day 10 for good, front dropped", d.State, d.EndedAt, d.Why, d.Roles, d.Dropped)
		}
	})
}

// TestAFormerOwnersLendingOutlastsTheTransfer pins what a transfer of the
// ownership does to a guarded role the owner lent: nothing. As the roles the
// owner gave stay given, the lending stays until it ends or the new owner
// revokes it (docs/model.md, delegation bounds).
func TestAFormerOwnersLendingOutlastsTheTransfer(t *testing.T) {
	t.Parallel()
	day := func(n int) time.Time { return parsedAt.AddDate(0, 0, n) }
	as := func(actor string, events []domain.Event) []domain.Event {
		for i := range events {
			events[i].Actor = "user:" + actor
		}
		return events
	}
	s, _ := apply(t, domain.NewState(), parseAt(t, day(0), planBase+"\n"+`{"type":"staff.added","workspace":"w","user":"pm","role":"practice_manager"}`))
	s, _ = apply(t, s, as("o", parseAt(t, day(0), `{"type":"delegation.granted","workspace":"w","delegation":"cover","from":"o","to":"r","roles":["practitioner_admin"],"expires_at":"`+day(30).Format(time.RFC3339)+`"}`)))
	s, _ = apply(t, s, as("o", parseAt(t, day(1), `{"type":"ownership.transferred","workspace":"w","to":"pm"}`)))
	obj := domain.DelegationObject("w", "cover")
	d, _ := domain.DelegationOf(s, obj)
	if at := d.At(day(2)); at.State != domain.DelegationActive || !slices.Equal(at.Roles, []string{"practitioner_admin"}) {
		t.Fatalf("after the transfer: %s lending %v (%s), want active lending practitioner_admin", at.State, at.Roles, at.Why)
	}
	if !s.Has(domain.Rel(obj, "role", domain.Object{Type: domain.TypeRole, ID: "w/practitioner_admin"})) {
		t.Errorf("after the transfer the delegation's role relation is gone")
	}
	s, _ = apply(t, s, as("pm", parseAt(t, day(2), `{"type":"delegation.revoked","workspace":"w","delegation":"cover"}`)))
	if d, _ := domain.DelegationOf(s, obj); d.At(day(3)).State != domain.DelegationRevoked || d.EndedBy != "pm" {
		t.Errorf("after the new owner revoked it: %s by %q, want revoked by pm", d.At(day(3)).State, d.EndedBy)
	}
}

// TestEventsWriteWhatTheySaid: an event written out (as the audit ledger
// keeps it) reads back as the same event, for every event the plan cases
// and the base send: conditions, grants in every form, and values that are
// 0 or null on purpose included.
func TestEventsWriteWhatTheySaid(t *testing.T) {
	t.Parallel()
	extra := `{"type":"role.assigned","workspace":"w","user":"r","role":"front","networks":["10.0.0.0/8","2001:db8::/32"],"hours":{"timezone":"Australia/Sydney","windows":[{"days":["mon","tue","wed"],"from":"09:00","to":"17:00"},{"days":["sat"],"from":"22:00","to":"02:00"},{"days":["sun"],"from":"00:00","to":"24:00"}]}}
{"type":"role.updated","workspace":"w","role":"front","hours":null,"networks":null}
{"type":"role.updated","workspace":"w","role":"front","grants":[{"area":"invoices","level":"own"},{"area":"invoices","action":"approve","level":"all","amount_below":500.5},{"area":"notes","action":"view","level":"written"}]}
{"type":"role.updated","workspace":"w","role":"front","grants":{"patients":"all","billing":{"read":"all","approve":{"level":"all","amount_below":20}}}}
{"type":"policy.set","workspace":"w","inactivity_days":0,"review_every_days":0}
{"type":"policy.set","workspace":"w","inactivity_days":30,"review_every_days":90,"approvals_required":2}`
	var sources []string
	for _, c := range planCases {
		sources = append(sources, c.events)
	}
	sources = append(sources, planBase, extra)
	for _, src := range sources {
		for _, e := range parseAt(t, parsedAt, src) {
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatalf("%s: %v", e.Type, err)
			}
			again, err := domain.ParseEventsAt([]json.RawMessage{b}, parsedAt)
			if err != nil {
				t.Errorf("%s written as %s does not read back: %v", e.Type, b, err)
				continue
			}
			if !reflect.DeepEqual(again[0], e) {
				t.Errorf("%s written as %s reads back as\n%+v\nwant\n%+v", e.Type, b, again[0], e)
			}
		}
	}
}

// TestExpiredRequestsNoLongerWait: a pending request past the expires_at it
// asked for is listed as expired (no one can approve it) and no longer
// counts among its requester's waiting requests.
func TestExpiredRequestsNoLongerWait(t *testing.T) {
	t.Parallel()
	ask := func(id, end string) string {
		return `{"type":"access.requested","workspace":"w","request":"` + id + `","user":"q","role":"front","reason":"cover","expires_at":"` + end + `"}`
	}
	soon := parsedAt.Add(time.Hour).Format(time.RFC3339)
	var batch []string
	for i := range domain.MaxWaitingRequests {
		batch = append(batch, ask(fmt.Sprintf("soon%d", i), soon))
	}
	s, _ := apply(t, domain.NewState(), parseAt(t, parsedAt, planBase+"\n"+strings.Join(batch, "\n")))
	later := parseAt(t, parsedAt, ask("later", parsedAt.Add(3*time.Hour).Format(time.RFC3339)))
	if _, _, err := tryApply(s, later); err == nil || !strings.Contains(err.Error(), "requests waiting") {
		t.Fatalf("a request past the most waiting: %v, want refused", err)
	}
	for i := range later {
		later[i].Received = parsedAt.Add(2 * time.Hour)
	}
	if _, _, err := tryApply(s, later); err != nil {
		t.Fatalf("once the others expired: %v", err)
	}
	// Under two approvals, not even the manager's first is taken.
	two, _ := apply(t, domain.NewState(), parseAt(t, parsedAt, planBase+"\n"+`{"type":"policy.set","workspace":"w","approvals_required":2}`+"\n"+ask("two", soon)))
	approve := parseAt(t, parsedAt, `{"type":"access.approved","workspace":"w","request":"two"}`)
	approve[0].Actor, approve[0].Received = "user:p", parsedAt.Add(2*time.Hour) // q's manager
	approve, err := domain.ResolveEvents(approve, two)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tryApply(two, approve); err == nil || !strings.Contains(err.Error(), "which has passed") {
		t.Errorf("the manager approving an expired request: %v, want refused", err)
	}
	for at, want := range map[time.Time]int{parsedAt: 0, parsedAt.Add(2 * time.Hour): domain.MaxWaitingRequests} {
		page, _, err := domain.AccessRequestPage(domain.AccessRequestsOf(s, "w"), domain.AccessRequestQuery{State: domain.RequestExpired, User: "q", Limit: 100}, at)
		if err != nil || len(page) != want {
			t.Errorf("expired at %s: %d (%v), want %d", at, len(page), err, want)
		}
	}
}
