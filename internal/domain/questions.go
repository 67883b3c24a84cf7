package domain

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Permission is a question Ward answers about one resource type, and what in a
// practice's terms can grant it. Explain reads the second part.
type Permission struct {
	Name  string
	About string
	// Caps are the capabilities whose grants confer the permission.
	Caps []Capability
	// Own tells whether an "own" level counts (for a record: when it is related
	// to the user).
	Own bool
	// Owner: only the account owner has it.
	Owner bool
	// Calendar: holders of a bookable role have it.
	Calendar bool
	// NotesReader: staff given notes access to the client have it.
	NotesReader bool
	// AuthorDraft: only while the note is a draft, and at the "own" or
	// "written" level only by its author.
	AuthorDraft bool
	// HolderManager: staff whose role manages its own holders have it.
	HolderManager bool
	// Editable: the role's grants must be changeable.
	Editable bool
	// SwitchedCaps also grant it on the preset's switched role (ClinicSense's
	// office staff), and on no other; on a staff member, on its holders.
	SwitchedCaps []Capability
	// NotSelf: never about the asker themselves (a staff member's own
	// permissions).
	NotSelf bool
	// NotOwner: on a staff member, never about the account owner, who sits
	// above every role (ClinicSense's super administrator is always an
	// administrator, with every permission).
	NotOwner bool
	// SelfCaps grant it to the asker about themselves.
	SelfCaps []Capability
	// PastToo: the user must also be granted PastEdit, workspace-wide.
	PastToo bool
	// Template: a restricted form template decides instead of the grants.
	Template bool
	// Guarded: on a guarded role (Role.Guarded: fixed, or its holders are
	// never disabled) the capabilities count only for the role's own
	// workspace-wide holders, and the account owner has it too: a staff
	// manager cannot make someone, or themselves, a practitioner admin.
	Guarded bool
	// Emergency: staff who opened the client's clinical record in an
	// emergency (break_glass.opened) have it while it is open, and while they
	// are enabled members of its practice.
	Emergency bool
	// EmergencyNeedsCaps: Emergency gives it only to openers whose roles
	// have Caps, at any level, where the client is: an opening widens which
	// clients they reach, never what they may do (an administrator who
	// reads notes but never writes them does not write by break-glass).
	EmergencyNeedsCaps bool
	// Opener: on a break-glass opening, the person who opened it has it.
	Opener bool
	// BackupOwner: the practice's backup owner has it (while enabled).
	BackupOwner bool
	// ClaimApprover: while a claim of ownership waits, the workspace-wide
	// holders of the preset's owner role have it, never the claimant.
	ClaimApprover bool
	// Member: on a staff member, the person themselves has it, while
	// enabled (and, with Owner, the account owner too).
	Member bool
	// Manager: on a staff member, their manager has it too, while enabled.
	Manager bool
	// Parties: on a delegation, its lender and its delegate have it, while
	// enabled (and, with Owner, the account owner too).
	Parties bool
	// Decision (an access request's: DecideApprove or DecideDeny) is had by
	// the requester's manager and the holders of the workspace permission
	// with the same Owner and Caps, while they are enabled, never by the
	// requester: approving at the step the request waits at (its one
	// approval; the manager's first of two; the other's second, never the
	// first approver), denying at any.
	Decision string
	// Step (a refund's) reads Via, the permission of the record's invoice,
	// only once Requires (a relation set at the step before) is set, and
	// never for those under Excludes (the people of the steps before).
	Step *StepRule
	// Within names the permission of the same record it also needs: a field
	// group is seen only on records whose details the user sees, and changed
	// only on records they may edit.
	Within string
}

// StepRule is a permission of a record that moves through steps, each taken
// by another person (a refund's): see Permission.Step. Requires is a
// wildcard relation of users only (user:*) set at the step before, so no
// service account takes a step; once Done is set, only Taker has it.
type StepRule struct {
	Via      string
	Requires string
	Excludes []string
	Done     string
	Taker    string
}

// Permissions are the questions Ward answers, by resource type. The subject is
// always a user (a staff member). The names are a contract with app services.
var Permissions = map[string][]Permission{
	TypeWorkspace: {
		{Name: "manage_permissions", Owner: true, Caps: []Capability{Cap("permissions", ActionEdit)}, About: "edit roles and their permissions (the owner, or a role granted it)"},
		{Name: "manage_api_keys", Owner: true, Caps: []Capability{Cap("api_keys", ActionEdit)}, About: "create and manage API keys (the owner, or a role granted it)"},
		{Name: "review_access", Owner: true, Caps: []Capability{Cap(AreaAccess, ActionReview)}, About: "review staff access and break-glass openings (the owner, or a role granted it)"},
		{Name: "view_activity_log", Owner: true, Caps: []Capability{Cap(AreaAccess, ActionReview)}, About: "see and export the practice's activity log (Ward's audit ledger, GET /v1/audit filtered to the practice): who did what and who opened which client's record; those who review access"},
		{Name: "approve_access", Owner: true, Caps: []Capability{Cap(AreaAccess, ActionApprove)}, About: "approve or deny staff's requests for a role for a while (the owner, or a role granted it; a requester's manager also decides theirs)"},
		{Name: "manage_subscription", Owner: true, Caps: []Capability{Cap("subscription", ActionEdit)}, About: "manage the practice's subscription and billing (the owner, or a role granted it)"},
		{Name: "transfer_ownership", Owner: true, About: "hand the account ownership to another staff member (owner only); also designate the backup owner and reject their claim"},
		{Name: "claim_ownership", BackupOwner: true, About: "claim the account ownership when the owner cannot act (the backup owner only: backup_owner.designated)"},
		{Name: "approve_ownership_claim", ClaimApprover: true, About: "complete the backup owner's claim of ownership (a workspace-wide holder of the preset's owner role, never the claimant)"},
		{Name: "manage_staff", Caps: []Capability{Cap("staff", ActionEdit)}, About: "add staff and assign their roles"},
		{Name: "manage_settings", Caps: []Capability{Cap("settings", ActionEdit)}, About: "workspace configuration"},
		{Name: "manage_sms_settings", Caps: []Capability{Cap("settings", ActionEdit), Cap("sms_settings", ActionEdit)}, About: "SMS settings"},
		{Name: "manage_tax_settings", Caps: []Capability{Cap("tax_settings", ActionEdit)}, About: "tax settings"},
		{Name: "manage_integrations", Caps: []Capability{Cap("integrations", ActionEdit)}, About: "integrations"},
		{Name: "manage_templates", Caps: []Capability{Cap("templates", ActionEdit)}, About: "note, letter and form templates"},
		{Name: "manage_catalog", Caps: []Capability{Cap("catalog", ActionEdit)}, About: "services, products and packages"},
		{Name: "view_reports", Caps: []Capability{Cap("reports", ActionView)}, About: "every operational report"},
		{Name: "view_own_reports", Caps: []Capability{Cap("reports", ActionView)}, Own: true, About: "their own performance reports"},
		{Name: "view_financial_reports", Caps: []Capability{Cap("financial_reports", ActionView)}, About: "financial reports"},
		{Name: "view_all_calendars", Caps: []Capability{Cap("appointments", ActionView)}, About: "every practitioner's calendar"},
		{Name: "create_client", Caps: []Capability{Cap("clients", ActionCreate)}, Own: true, About: "add clients"},
		{Name: "has_calendar", Calendar: true, About: "the staff member is bookable (a practitioner)"},
		{Name: "view_own_financial_reports", Caps: []Capability{Cap("financial_reports", ActionView)}, Own: true, About: "their own revenue reports"},
		// Cliniko's practitioners "view the following financial reports:
		// uninvoiced appointments, daily payments, patients by total invoiced,
		// and their own practitioner revenue reports": the practice's
		// figures in these three, no one else's revenue.
		{Name: "view_uninvoiced_appointments_report", Caps: []Capability{Cap("practice_financial_reports", ActionView), Cap("financial_reports", ActionView)}, About: "the uninvoiced appointments report"},
		{Name: "view_daily_payments_report", Caps: []Capability{Cap("practice_financial_reports", ActionView), Cap("financial_reports", ActionView)}, About: "the daily payments report"},
		{Name: "view_patients_by_total_invoiced_report", Caps: []Capability{Cap("practice_financial_reports", ActionView), Cap("financial_reports", ActionView)}, About: "the patients by total invoiced report"},
		{Name: "export_clients", Caps: []Capability{Cap("clients", ActionExport)}, About: "export the client list"},
		{Name: "export_invoices", Caps: []Capability{Cap("invoices", ActionExport)}, About: "export invoices and payments"},
		{Name: "export_data", Caps: []Capability{Cap("data", ActionExport)}, About: "export all of the practice's data"},
		{Name: "delete_data", Caps: []Capability{Cap("data", ActionDelete)}, About: "delete the practice's data"},
		{Name: "view_note_completion_report", Caps: []Capability{Cap("note_completion_report", ActionView)}, About: "the treatment note completion report of every practitioner"},
		{Name: "view_own_note_completion_report", Caps: []Capability{Cap("note_completion_report", ActionView)}, Own: true, About: "the treatment note completion report of their own notes"},
		{Name: "view_expenses_report", Caps: []Capability{Cap("expenses_report", ActionView)}, About: "the expenses report"},
		{Name: "view_marketing_reports", Caps: []Capability{Cap("marketing_reports", ActionView)}, About: "marketing reports"},
		{Name: "add_locations", Caps: []Capability{Cap("locations", ActionCreate)}, About: "add locations"},
		{Name: "archive_locations", Caps: []Capability{Cap("locations", ActionDelete)}, About: "archive locations"},
		{Name: "view_contacts", Caps: []Capability{Cap("contacts", ActionView)}, About: "see contacts"},
		{Name: "create_contacts", Caps: []Capability{Cap("contacts", ActionCreate)}, About: "add contacts"},
		{Name: "edit_contacts", Caps: []Capability{Cap("contacts", ActionEdit)}, About: "change contacts"},
		{Name: "archive_contacts", Caps: []Capability{Cap("contacts", ActionDelete)}, About: "archive contacts"},
		{Name: "view_products", Caps: []Capability{Cap("products", ActionView)}, About: "see products"},
		{Name: "create_products", Caps: []Capability{Cap("products", ActionCreate)}, About: "add products"},
		{Name: "edit_products", Caps: []Capability{Cap("products", ActionEdit)}, About: "change products and their stock"},
		{Name: "archive_products", Caps: []Capability{Cap("products", ActionDelete)}, About: "archive products"},
		{Name: "export_products", Caps: []Capability{Cap("products", ActionExport)}, About: "export products"},
		{Name: "create_expenses", Caps: []Capability{Cap("expenses", ActionCreate)}, Own: true, About: "record expenses"},
		{Name: "view_expenses", Caps: []Capability{Cap("expenses", ActionView)}, About: "see every expense"},
		{Name: "view_own_expenses", Caps: []Capability{Cap("expenses", ActionView)}, Own: true, About: "see the expenses they recorded"},
		{Name: "edit_expenses", Caps: []Capability{Cap("expenses", ActionEdit)}, About: "change any expense"},
		{Name: "archive_expenses", Caps: []Capability{Cap("expenses", ActionDelete)}, About: "archive any expense"},
		{Name: "export_expenses", Caps: []Capability{Cap("expenses", ActionExport)}, About: "export expenses"},
		{Name: "view_messages", Caps: []Capability{Cap("messages", ActionView)}, About: "see every message and comment on the dashboard"},
		{Name: "post_messages", Caps: []Capability{Cap("messages", ActionCreate)}, Own: true, About: "post messages and comments on the dashboard"},
		{Name: "edit_messages", Caps: []Capability{Cap("messages", ActionEdit)}, About: "change any message or comment on the dashboard"},
		{Name: "archive_messages", Caps: []Capability{Cap("messages", ActionDelete)}, About: "archive any message or comment on the dashboard"},
		{Name: "send_sms", Caps: []Capability{Cap("sms", ActionCreate)}, About: "send SMS messages to clients"},
		{Name: "remove_staff", Caps: []Capability{Cap("staff", ActionDelete)}, About: "remove staff permanently"},
		{Name: "view_staff", Caps: []Capability{Cap("staff", ActionView)}, About: "see staff and their roles"},
		{Name: "handle_calls", Caps: []Capability{Cap("calls", ActionEdit)}, About: "manage incoming calls"},
		{Name: "view_transcriptions", Caps: []Capability{Cap("transcriptions", ActionView)}, About: "read AI transcriptions of calls"},
		{Name: "manage_time_tracking", Caps: []Capability{Cap("time_tracking", ActionEdit)}, About: "manage staff time tracking"},
		{Name: "export_financial_reports", Caps: []Capability{Cap("financial_reports", ActionExport)}, About: "generate and export billing reports"},
		{Name: "view_practitioners", Caps: []Capability{Cap("practitioner_profiles", ActionView)}, About: "see practitioners' profiles"},
		{Name: "change_practitioners", Caps: []Capability{Cap("practitioner_profiles", ActionEdit)}, About: "change practitioners' profiles"},
		{Name: "view_office_staff_profiles", Caps: []Capability{Cap("office_staff_profiles", ActionView)}, About: "see every office staff profile"},
		{Name: "change_office_staff_profiles", Caps: []Capability{Cap("office_staff_profiles", ActionEdit)}, About: "change other office staff profiles"},
		{Name: "change_own_profile", Caps: []Capability{Cap("office_staff_profiles", ActionEdit)}, Own: true, About: "change their own profile"},
		{Name: "view_email_newsletters", Caps: []Capability{Cap("newsletters", ActionView)}, About: "see newsletters and drafts"},
		{Name: "send_email_newsletters", Caps: []Capability{Cap("newsletters", ActionCreate)}, About: "send email campaigns"},
		{Name: "edit_birthday_emails", Caps: []Capability{Cap("birthday_campaign", ActionEdit)}, About: "the birthday campaign"},
		{Name: "edit_wellness_checkins", Caps: []Capability{Cap("winback_campaign", ActionEdit)}, About: "the win-back campaign"},
		{Name: "edit_availability_summary", Caps: []Capability{Cap("availability_campaign", ActionEdit)}, About: "the availability campaign"},
		{Name: "edit_client_referrals", Caps: []Capability{Cap("referral_campaign", ActionEdit)}, About: "the referral campaign"},
		{Name: "edit_google_reviews", Caps: []Capability{Cap("google_reviews_campaign", ActionEdit)}, About: "the Google reviews booster"},
		{Name: "view_gift_certificates", Caps: []Capability{Cap("gift_certificates", ActionView)}, About: "see gift certificates"},
		{Name: "sell_gift_certificates", Caps: []Capability{Cap("gift_certificates", ActionCreate)}, About: "sell gift certificates"},
		{Name: "view_packages", Caps: []Capability{Cap("packages", ActionView)}, About: "see packages and their sales"},
		{Name: "sell_packages", Caps: []Capability{Cap("packages", ActionCreate)}, About: "sell and create packages"},
		{Name: "delete_packages", Caps: []Capability{Cap("packages", ActionDelete)}, About: "delete packages"},
		{Name: "view_promo_codes", Caps: []Capability{Cap("promo_codes", ActionView)}, About: "see promo codes"},
		{Name: "manage_promo_codes", Caps: []Capability{Cap("promo_codes", ActionEdit)}, About: "create, edit and remove promo codes"},
		{Name: "view_services", Caps: []Capability{Cap("services", ActionView)}, About: "see services"},
		{Name: "edit_services", Caps: []Capability{Cap("services", ActionEdit)}, About: "change services"},
		{Name: "add_remove_services", Caps: []Capability{Cap("services", ActionCreate)}, About: "add and remove services"},
		{Name: "edit_practice_location", Caps: []Capability{Cap("location_settings", ActionEdit)}, About: "change a location's details"},
		// A single report is also one of its family: every financial report, or
		// every operational one ("Full reporting access", Caspen's practice
		// manager; a Cliniko receptionist's "payment reports").
		{Name: "view_revenue_report", Caps: []Capability{Cap("revenue_report", ActionView), Cap("financial_reports", ActionView)}, About: "the revenue report"},
		{Name: "view_sales_tax_report", Caps: []Capability{Cap("sales_tax_report", ActionView), Cap("financial_reports", ActionView)}, About: "the sales tax report"},
		{Name: "view_appointment_report", Caps: []Capability{Cap("appointment_report", ActionView), Cap("reports", ActionView)}, About: "the appointments report"},
		{Name: "view_payments_report", Caps: []Capability{Cap("payments_report", ActionView), Cap("financial_reports", ActionView)}, About: "the payments report"},
		{Name: "view_receivables_report", Caps: []Capability{Cap("receivables_report", ActionView), Cap("financial_reports", ActionView)}, About: "the receivables report"},
		{Name: "view_winback_report", Caps: []Capability{Cap("winback_report", ActionView), Cap("reports", ActionView)}, About: "the win-back report"},
		{Name: "view_reminder_report", Caps: []Capability{Cap("reminder_report", ActionView), Cap("reports", ActionView)}, About: "the reminders report"},
		{Name: "approve_charge", Caps: []Capability{Cap("invoices", ActionApprove)}, About: "approve a charge in the practice (with context.amount where the grant has an amount limit)"},
	},
	TypeLocation: {
		{Name: "create_client", Caps: []Capability{Cap("clients", ActionCreate)}, Own: true, About: "add clients at this location"},
		{Name: "view_calendar", Caps: []Capability{Cap("appointments", ActionView)}, About: "every practitioner's calendar at this location"},
		{Name: "archive", Caps: []Capability{Cap("locations", ActionDelete)}, About: "archive this location"},
	},
	TypeRole: {
		{Name: "edit", Owner: true, Caps: []Capability{Cap("permissions", ActionEdit)}, Editable: true, About: "change this role's permissions"},
		{Name: "manage_holders", Caps: []Capability{Cap("staff", ActionEdit)}, HolderManager: true, Guarded: true, About: "give this role to staff or take it away (a guarded role: only the owner and its own workspace-wide holders)"},
	},
	TypeStaffMember: {
		{Name: "lend_roles", Member: true, Owner: true, About: "lend their roles to another staff member for a while (delegation.granted): the staff member themselves, while enabled, or the account owner"},
		{Name: "request_access", Member: true, About: "ask for a role for a while (access.requested): the staff member themselves, while enabled (asked as user:ID about staff_member:WORKSPACE/ID)"},
		{Name: "change_permissions", Owner: true, Caps: []Capability{Cap("permissions", ActionEdit)}, SwitchedCaps: []Capability{Cap("office_staff_profiles", ActionEdit)}, NotSelf: true, NotOwner: true,
			About: "change this staff member's permissions: the owner or roles that edit permissions; office staff who change other office staff's profiles, for office staff; never one's own, nor the account owner's"},
		{Name: "review_access", Owner: true, Caps: []Capability{Cap(AreaAccess, ActionReview)}, Manager: true, NotSelf: true,
			About: "review this staff member's access (access.reviewed, GET /v1/workspaces/{ws}/access-review): one who reviews access, or their manager, while enabled; never one's own"},
		{Name: "view_permissions", Owner: true, Caps: []Capability{Cap("permissions", ActionEdit)}, SwitchedCaps: []Capability{Cap("office_staff_profiles", ActionEdit)}, SelfCaps: []Capability{Cap("office_staff_profiles", ActionEdit)},
			About: "see this staff member's permissions: one's own with change own profile, and those of others for whoever changes others' permissions (the account owner's too, which nobody changes)"},
	},
	TypeClient: {
		{Name: "view", Caps: []Capability{Cap("clients", ActionView), Cap("invoices", ActionView)}, Own: true, Emergency: true, About: "the client's name and record"},
		{Name: "view_contact", Caps: []Capability{Cap("clients", ActionView)}, Own: true, About: "contact details"},
		{Name: "edit", Caps: []Capability{Cap("clients", ActionEdit)}, Own: true, About: "edit the client's record"},
		{Name: "delete", Caps: []Capability{Cap("clients", ActionDelete)}, Own: true, About: "delete the client"},
		{Name: "view_notes", Caps: []Capability{Cap("notes", ActionView)}, Own: true, NotesReader: true, Emergency: true, About: "read clinical notes"},
		{Name: "write_notes", Caps: []Capability{Cap("notes", ActionCreate)}, Own: true, Emergency: true, EmergencyNeedsCaps: true, About: "write clinical notes (by break-glass too, for those whose roles write notes where the client is)"},
		{Name: "view_letters", Caps: []Capability{Cap("letters", ActionView)}, Own: true, NotesReader: true, Emergency: true, About: "read letters"},
		{Name: "view_forms", Caps: []Capability{Cap("forms", ActionView)}, Own: true, Emergency: true, About: "read forms"},
		{Name: "view_files", Caps: []Capability{Cap("files", ActionView)}, Own: true, Emergency: true, About: "open attached files"},
		{Name: "view_invoices", Caps: []Capability{Cap("invoices", ActionView)}, Own: true, About: "the client's invoices and payments"},
		{Name: "book_appointment", Caps: []Capability{Cap("appointments", ActionCreate)}, Own: true, About: "book the client in"},
		{Name: "create_invoice", Caps: []Capability{Cap("invoices", ActionCreate)}, Own: true, About: "invoice the client, and take payments"},
		{Name: "upload_files", Caps: []Capability{Cap("files", ActionCreate)}, Own: true, About: "attach files to the client's record"},
		{Name: "edit_files", Caps: []Capability{Cap("files", ActionEdit)}, Own: true, About: "change or archive the client's files"},
		{Name: "view_medical_alerts", Caps: []Capability{Cap("medical_alerts", ActionView)}, Own: true, Emergency: true, About: "see the client's medical alerts"},
		{Name: "edit_medical_alerts", Caps: []Capability{Cap("medical_alerts", ActionEdit)}, Own: true, About: "change the client's medical alerts"},
		{Name: "export", Caps: []Capability{Cap("clients", ActionExport)}, Own: true, About: "export the client's record"},
		{Name: "edit_forms", Caps: []Capability{Cap("forms", ActionEdit)}, Own: true, About: "update, send or fill out the client's forms"},
		{Name: "view_memos", Caps: []Capability{Cap("memos", ActionView)}, Own: true, About: "see memos on the client's file"},
		{Name: "edit_memos", Caps: []Capability{Cap("memos", ActionEdit)}, Own: true, About: "create and change memos on the client's file"},
		{Name: "view_communications", Caps: []Capability{Cap("communications", ActionView)}, Own: true, About: "the client's communications log"},
		{Name: "open_break_glass", Caps: []Capability{Cap(AreaBreakGlass, ActionOpen)}, Own: true, About: "open the client's clinical record in an emergency (break_glass.opened), for a short time and fully audited"},
		{Name: "unarchive", Caps: []Capability{Cap("clients", ActionEdit)}, Own: true, About: "restore the archived client (those who edit clients)"},
		{Name: "view_identifiers", Caps: []Capability{Cap("clients", "view_identifiers")}, Own: true, Within: "view_contact", About: "see the client's government identifiers (SSN, Medicare or NHS number), with their contact details"},
		{Name: "edit_identifiers", Caps: []Capability{Cap("clients", "edit_identifiers")}, Own: true, Within: "edit", About: "change the client's government identifiers, with their record"},
		{Name: "view_insurance", Caps: []Capability{Cap("clients", "view_insurance")}, Own: true, Within: "view_contact", About: "see the client's insurance and funding details, with their contact details"},
		{Name: "edit_insurance", Caps: []Capability{Cap("clients", "edit_insurance")}, Own: true, Within: "edit", About: "change the client's insurance and funding details, with their record"},
	},
	TypeBreakGlass: {
		{Name: "close", Opener: true, Owner: true, Caps: []Capability{Cap(AreaAccess, ActionReview)}, About: "close the emergency access early: the person who opened it, or one who reviews access"},
		{Name: "review", Owner: true, Caps: []Capability{Cap(AreaAccess, ActionReview)}, NotSelf: true, About: "review the opening as justified or not: one who reviews access, never the person who opened it"},
	},
	TypeLetter: {
		{Name: "view", Caps: []Capability{Cap("letters", ActionView)}, Own: true, NotesReader: true, Emergency: true, About: "read the letter"},
		{Name: "edit", Caps: []Capability{Cap("letters", ActionEdit)}, Own: true, About: "change the letter"},
		{Name: "delete", Caps: []Capability{Cap("letters", ActionDelete)}, Own: true, About: "delete the letter"},
	},
	TypeFile: {
		{Name: "view", Caps: []Capability{Cap("files", ActionView)}, Own: true, Emergency: true, About: "open the file"},
		{Name: "edit", Caps: []Capability{Cap("files", ActionEdit)}, Own: true, About: "change or rename the file"},
		{Name: "archive", Caps: []Capability{Cap("files", ActionDelete)}, Own: true, About: "archive or remove the file"},
	},
	TypeForm: {
		{Name: "view", Caps: []Capability{Cap("forms", ActionView)}, Own: true, Template: true, Emergency: true, About: "read the completed form (its template may limit it to some roles)"},
		{Name: "edit", Caps: []Capability{Cap("forms", ActionEdit)}, Own: true, Template: true, About: "change the form"},
		{Name: "delete", Caps: []Capability{Cap("forms", ActionDelete)}, Own: true, Template: true, About: "delete the completed form"},
	},
	TypeExpense: {
		{Name: "view", Caps: []Capability{Cap("expenses", ActionView)}, Own: true, About: "see the expense"},
		{Name: "edit", Caps: []Capability{Cap("expenses", ActionEdit)}, Own: true, About: "change the expense"},
		{Name: "archive", Caps: []Capability{Cap("expenses", ActionDelete)}, Own: true, About: "archive the expense"},
	},
	TypeMessage: {
		{Name: "view", Caps: []Capability{Cap("messages", ActionView)}, Own: true, About: "see the message or comment"},
		{Name: "edit", Caps: []Capability{Cap("messages", ActionEdit)}, Own: true, About: "change the message or comment"},
		{Name: "archive", Caps: []Capability{Cap("messages", ActionDelete)}, Own: true, About: "archive the message or comment"},
	},
	TypeNote: {
		{Name: "view", Caps: []Capability{Cap("notes", ActionView)}, Own: true, NotesReader: true, Emergency: true, About: "read the note"},
		{Name: "edit", Caps: []Capability{Cap("notes", ActionEdit)}, Own: true, AuthorDraft: true, About: "change the note while it is a draft (at the own or written level: only notes they wrote)"},
		{Name: "delete", Caps: []Capability{Cap("notes", ActionDelete)}, Own: true, AuthorDraft: true, About: "delete the note while it is a draft (at the own or written level: only notes they wrote); a signed note stays"},
	},
	TypeAppointment: {
		{Name: "view", Caps: []Capability{Cap("appointments", ActionView)}, Own: true, About: "see the appointment"},
		{Name: "edit", Caps: []Capability{Cap("appointments", ActionEdit)}, Own: true, About: "change or cancel the appointment"},
		{Name: "delete", Caps: []Capability{Cap("appointments", ActionDelete)}, Own: true, About: "delete the appointment from the record (cancelling it is edit)"},
		{Name: "edit_past", Caps: []Capability{Cap("appointments", ActionEdit)}, Own: true, PastToo: true, About: "add or change the appointment once it is in the past"},
		{Name: "delete_past", Caps: []Capability{Cap("appointments", ActionDelete)}, Own: true, PastToo: true, About: "delete the appointment once it is in the past"},
	},
	TypeInvoice: {
		{Name: "view", Caps: []Capability{Cap("invoices", ActionView)}, Own: true, About: "see the invoice"},
		{Name: "edit", Caps: []Capability{Cap("invoices", ActionEdit)}, Own: true, About: "change the invoice: costs, line items, discounts"},
		{Name: "void", Caps: []Capability{Cap("invoices", ActionDelete)}, Own: true, About: "void the invoice"},
		{Name: "manage_payments", Caps: []Capability{Cap("invoices", ActionCreate)}, Own: true, About: "add or refund payments on the invoice"},
		{Name: "approve_charge", Caps: []Capability{Cap("invoices", ActionApprove)}, Own: true, About: "approve a charge on the invoice (with context.amount where the grant has an amount limit)"},
		{Name: "request_refund", Caps: []Capability{Cap(AreaRefunds, ActionRequest)}, About: "ask for a refund of a payment on the invoice (refund.requested)"},
		{Name: "approve_refund", Caps: []Capability{Cap(AreaRefunds, ActionApprove)}, About: "approve refunds on the invoice (never one they asked for: the refund's approve)"},
		{Name: "process_refund", Caps: []Capability{Cap(AreaRefunds, ActionProcess)}, About: "pay out approved refunds on the invoice (never one they approved: the refund's process)"},
	},
	TypeDelegation: {
		{Name: "revoke", Parties: true, Owner: true, About: "end the delegation early (delegation.revoked): its lender or its delegate, while enabled, or the account owner"},
	},
	TypeAccessRequest: {
		{Name: "approve", Owner: true, Caps: []Capability{Cap(AreaAccess, ActionApprove)}, Decision: DecideApprove, About: "approve the request at the step it waits at: its one approval by one who approves access, or by the requester's manager if they may give the role asked for (manage_holders); of two, the manager's first, then another's who approves access; never the requester"},
		{Name: "consume", Decision: DecideConsume, About: "use the one-time grant the request gave (once): its requester, while it is approved, unused and not ended; a check made with consume uses it"},
		{Name: "deny", Owner: true, Caps: []Capability{Cap(AreaAccess, ActionApprove)}, Decision: DecideDeny, About: "deny the request while it waits: the requester's manager or one who approves access, never the requester"},
	},
	TypeRefund: {
		{Name: "approve", Step: &StepRule{Via: "approve_refund", Requires: "requested", Excludes: []string{"requester"}, Done: "approved", Taker: "approver"}, About: "approve the refund: a person who approves refunds on its invoice, never the person who asked for it; once approved, only its approver"},
		{Name: "process", Step: &StepRule{Via: "process_refund", Requires: "approved", Excludes: []string{"approver"}, Done: "processed", Taker: "processor"}, About: "pay the refund out: a person who processes refunds on its invoice, once it is approved, never the person who approved it; once processed, only its processor"},
	},
}

// LookupPermission finds a permission of a resource type.
func LookupPermission(resourceType, name string) (Permission, bool) {
	i := slices.IndexFunc(Permissions[resourceType], func(p Permission) bool { return p.Name == name })
	if i < 0 {
		return Permission{}, false
	}
	return Permissions[resourceType][i], true
}

// Question is "may subject have permission on resource?".
type Question struct {
	Subject    Object
	Permission string
	Resource   Object
	Given
}

// Given is the context a question gives the conditions of grants, which
// SpiceDB evaluates: each "" when the question gives none.
type Given struct {
	// Amount is a charge to approve, as a canonical decimal (ParseAmount).
	Amount string
	// IP is the address the end user's request came from (ParseIP).
	IP string
	// Conditional asks a lookup to list too what would be allowed with
	// context it did not give (Found.Missing); a check answers that anyway.
	Conditional bool
	// Consume is the one-time grant (an approved access request's object
	// ID) a check may count, and so use up; "" counts none.
	Consume string
}

// ParseAmount reads a check's context.amount: a number from 0 to MaxAmount,
// in the practice's currency, as a canonical decimal.
func ParseAmount(f float64) (string, error) {
	if math.IsNaN(f) || f < 0 || f > MaxAmount {
		return "", &Error{Code: CodeInvalid, Index: -1, Field: "context.amount", Message: fmt.Sprintf("must be a number from 0 to %s (an amount in the practice's currency)", FormatAmount(MaxAmount))}
	}
	return FormatAmount(f + 0), nil // -0 is 0
}

// Person is the question's subject as the planner names people: a user's
// ID, or "service_account:ID".
func (q Question) Person() string { return personOf(Subject{Type: q.Subject.Type, ID: q.Subject.ID}) }

// ParseQuestion validates the three parts of a question: subject "user:ID",
// a known permission and a resource "type:ID" of a type that has it.
func ParseQuestion(subject, permission, resource string) (Question, error) {
	sub, err := ParseSubject(subject)
	if err != nil {
		return Question{}, err
	}
	res, err := ParseResource(resource)
	if err != nil {
		return Question{}, err
	}
	if err := ValidatePermission(res.Type, permission); err != nil {
		return Question{}, err
	}
	return Question{Subject: sub, Permission: permission, Resource: res}, nil
}

// ParseSubject reads "user:ID" or "service_account:ID".
func ParseSubject(s string) (Object, error) {
	typ, id, ok := strings.Cut(s, ":")
	if !ok || (typ != TypeUser && typ != TypeServiceAccount) {
		return Object{}, &Error{Code: CodeInvalid, Index: -1, Field: "subject", Message: fmt.Sprintf("%q must be user:ID or service_account:ID", s)}
	}
	if err := ValidateID(id); err != nil {
		return Object{}, &Error{Code: CodeInvalid, Index: -1, Field: "subject", Message: err.Error()}
	}
	return Object{typ, id}, nil
}

// ParseResource reads "type:ID" for a resource type Ward answers questions about.
// Roles are named "role:WORKSPACE/ROLE".
func ParseResource(s string) (Object, error) {
	typ, id, ok := strings.Cut(s, ":")
	if !ok {
		return Object{}, &Error{Code: CodeInvalid, Index: -1, Field: "resource", Message: fmt.Sprintf("%q must be type:ID", s)}
	}
	if err := ValidateResourceType(typ); err != nil {
		return Object{}, err
	}
	if typ == TypeRole {
		ws, role, ok := strings.Cut(id, "/")
		if !ok || ValidateID(ws) != nil || validateName(role) != nil {
			return Object{}, &Error{Code: CodeInvalid, Index: -1, Field: "resource", Message: fmt.Sprintf("%q: a role is named role:WORKSPACE/ROLE", s)}
		}
		return Object{typ, id}, nil
	}
	if typ == TypeStaffMember || typ == TypeBreakGlass || typ == TypeRefund || typ == TypeAccessRequest || typ == TypeDelegation {
		ws, rest, ok := strings.Cut(id, "/")
		if !ok || ValidateID(ws) != nil || ValidateID(rest) != nil {
			what := map[string]string{TypeStaffMember: "a staff member is named staff_member:WORKSPACE/USER", TypeBreakGlass: "an emergency opening is named break_glass:WORKSPACE/ID", TypeRefund: "a refund is named refund:WORKSPACE/ID", TypeAccessRequest: "a request for access is named access_request:WORKSPACE/ID", TypeDelegation: "a delegation is named delegation:WORKSPACE/ID"}[typ]
			return Object{}, &Error{Code: CodeInvalid, Index: -1, Field: "resource", Message: fmt.Sprintf("%q: %s", s, what)}
		}
		return Object{typ, id}, nil
	}
	if err := ValidateID(id); err != nil {
		return Object{}, &Error{Code: CodeInvalid, Index: -1, Field: "resource", Message: err.Error()}
	}
	return Object{typ, id}, nil
}

// ValidateResourceType checks that Ward answers questions about typ.
func ValidateResourceType(typ string) error {
	if _, ok := Permissions[typ]; !ok {
		return &Error{Code: CodeInvalid, Index: -1, Field: "resource", Message: fmt.Sprintf("unknown resource type %q (types: %s)", typ, strings.Join(slices.Sorted(maps.Keys(Permissions)), ", "))}
	}
	return nil
}

// ValidatePermission checks that typ has permission.
func ValidatePermission(typ, permission string) error {
	if _, ok := LookupPermission(typ, permission); !ok {
		names := make([]string, 0, len(Permissions[typ]))
		for _, p := range Permissions[typ] {
			names = append(names, p.Name)
		}
		return &Error{Code: CodeInvalid, Index: -1, Field: "permission", Message: fmt.Sprintf("unknown permission %q on %s (permissions: %s)", permission, typ, strings.Join(names, ", "))}
	}
	return nil
}

// Written tells whether a "written" level counts for p: wherever own does, on
// areas whose records have an author (notes, letters, files). On such a record
// it reaches the record's author; on a client, as own does, the client's own
// staff.
func (p Permission) Written() bool {
	if !p.Own || len(p.Caps) == 0 {
		return false
	}
	for _, c := range p.Caps {
		if a, _ := AreaByName(c.Area); !a.Written {
			return false
		}
	}
	return true
}

// FieldGroup is one group of a record type's sensitive fields and the
// permissions that see and change it.
type FieldGroup struct {
	Name, About string
	View, Edit  string
}

// FieldGroups lists typ's field groups: every area field group a permission
// of typ asks for, in the areas' order.
func FieldGroups(typ string) []FieldGroup {
	var out []FieldGroup
	for _, a := range Areas {
		for _, f := range a.Fields {
			g := FieldGroup{Name: f.Name, About: f.About}
			for _, p := range Permissions[typ] {
				if len(p.Caps) != 1 || p.Caps[0].Area != a.Name {
					continue
				}
				switch p.Caps[0].Action {
				case FieldAction(ActionView, f.Name):
					g.View = p.Name
				case FieldAction(ActionEdit, f.Name):
					g.Edit = p.Name
				}
			}
			if g.View != "" && g.Edit != "" {
				out = append(out, g)
			}
		}
	}
	return out
}

// FieldQuestions are the questions POST /v1/fields asks about resource for
// subject: each field group's view, then its edit.
func FieldQuestions(subject, resource Object) ([]FieldGroup, []Question, error) {
	groups := FieldGroups(resource.Type)
	if len(groups) == 0 {
		var with []string
		for _, typ := range slices.Sorted(maps.Keys(Permissions)) {
			if len(FieldGroups(typ)) > 0 {
				with = append(with, typ)
			}
		}
		return nil, nil, &Error{Code: CodeInvalid, Index: -1, Field: "resource", Message: fmt.Sprintf("resource type %s has no field groups (types with field groups: %s): ask /v1/check for its permissions", resource.Type, strings.Join(with, ", "))}
	}
	qs := make([]Question, 0, 2*len(groups))
	for _, g := range groups {
		qs = append(qs, Question{Subject: subject, Permission: g.View, Resource: resource}, Question{Subject: subject, Permission: g.Edit, Resource: resource})
	}
	return groups, qs, nil
}

// FieldAccess is what a subject may do with one field group.
type FieldAccess struct {
	View bool `json:"view"`
	Edit bool `json:"edit"`
	// Missing is the context (ip, amount) that viewing or changing the
	// group depends on and the question did not give: its false answers
	// are conditional, as /v1/check's are.
	Missing []string `json:"missing,omitempty"`
}

// FieldAnswers reads the answers to FieldQuestions back, group by group; an
// item that failed fails the whole answer.
func FieldAnswers(groups []FieldGroup, ds []BulkDecision) (map[string]FieldAccess, error) {
	if len(ds) != 2*len(groups) {
		return nil, fmt.Errorf("%d answers to %d field questions", len(ds), 2*len(groups))
	}
	out := make(map[string]FieldAccess, len(groups))
	for i, g := range groups {
		for _, d := range ds[2*i : 2*i+2] {
			if d.Err != nil {
				return nil, d.Err
			}
		}
		f := FieldAccess{View: ds[2*i].Allowed, Edit: ds[2*i+1].Allowed}
		f.Missing = append(slices.Clone(ds[2*i].Missing), ds[2*i+1].Missing...)
		slices.Sort(f.Missing)
		f.Missing = slices.Compact(f.Missing)
		out[g.Name] = f
	}
	return out, nil
}

// PastEdit is the capability that PastToo also needs: adding and changing
// appointments in the past.
var PastEdit = Cap("past_appointments", ActionEdit)
