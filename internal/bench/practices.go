package bench

import (
	"cmp"
	"fmt"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/domain"
)

// The generated platform: Caspen practices, each with two locations, an owner,
// a practice manager, a receptionist, an accountant and six practitioners.
// Every client belongs to one practitioner and one location and has a
// treatment note, an appointment and an invoice. A practice takes up to
// clientsPerPractice clients (about 100 a practitioner) before the next opens.
const (
	practitionersPerPractice = 6
	clientsPerPractice       = 600
	// maxEventsPerRequest packs events into requests as an importer would;
	// every request is one atomic write.
	maxEventsPerRequest = domain.MaxEventsPerRequest
)

// practice names one generated practice's people.
type practice struct{ ws string }

func (p practice) practitioner(i int) string {
	return fmt.Sprintf("%s-p%d", p.ws, i%practitionersPerPractice)
}
func (p practice) client(i int) string  { return fmt.Sprintf("%s-c%d", p.ws, i) }
func (p practice) manager() string      { return p.ws + "-pm" }
func (p practice) owner() string        { return p.ws + "-owner" }
func (p practice) receptionist() string { return p.ws + "-rec" }
func (p practice) accountant() string   { return p.ws + "-acc" }

// platform generates practices' events in requests, and remembers how many
// clients each practice has so far.
type platform struct {
	practices []practice
	clients   []int // per practice
	pending   []domain.Event
	// perPractice, when set, replaces clientsPerPractice; clientsOnly leaves
	// out each client's note, appointment and invoice (for one large practice
	// whose client list is streamed).
	perPractice int
	clientsOnly bool
	// limit, when set, is how many clients the platform has in all: next
	// returns fewer events (or none) once they are made.
	limit int
	made  int
	// handed counts the events handed out. The platform is deterministic: a
	// fresh one's next(handed) returns the same events again, so nothing
	// needs to keep them (they would count in the benchmark's memory).
	handed int
	// stripe of stripes: this platform opens practices stripe, stripe +
	// stripes, ... so that several loaders make disjoint practices (stripes 0
	// means 1).
	stripe, stripes int
}

// striped splits a platform among n loaders: loader j opens practices j,
// j+n, j+2n, ...; practice w0 is always the first loader's first.
func striped(n int) []*platform {
	pls := make([]*platform, max(n, 1))
	for j := range pls {
		pls[j] = &platform{stripe: j, stripes: len(pls)}
	}
	return pls
}

// replay returns every event pls handed out, from fresh platforms of the same
// stripes: each stripe's events in order, stripe after stripe.
func replay(pls []*platform) []domain.Event {
	var out []domain.Event
	for _, pl := range pls {
		out = append(out, (&platform{stripe: pl.stripe, stripes: pl.stripes}).next(pl.handed)...)
	}
	return out
}

// joined is one platform holding the practices of pls (w0 first), to ask
// questions about all of them.
func joined(pls []*platform) *platform {
	all := &platform{}
	for _, pl := range pls {
		all.practices = append(all.practices, pl.practices...)
		all.clients = append(all.clients, pl.clients...)
		all.made += pl.made
	}
	return all
}

// next returns the next request's n events (fewer once a limit is reached).
func (pl *platform) next(n int) []domain.Event {
	for len(pl.pending) < n {
		if pl.limit > 0 && pl.made == pl.limit {
			n = len(pl.pending)
			break
		}
		if len(pl.practices) == 0 || pl.clients[len(pl.clients)-1] == cmp.Or(pl.perPractice, clientsPerPractice) {
			pl.open()
			continue
		}
		pl.addClient()
	}
	out := pl.pending[:n:n]
	pl.pending = pl.pending[n:]
	pl.handed += len(out)
	return out
}

func (pl *platform) open() {
	p := practice{ws: fmt.Sprintf("w%d", pl.stripe+len(pl.practices)*max(pl.stripes, 1))}
	pl.practices = append(pl.practices, p)
	pl.clients = append(pl.clients, 0)
	staff := func(user, role string) domain.Event {
		return domain.Event{Type: "staff.added", Workspace: p.ws, User: user, Role: role}
	}
	pl.pending = append(pl.pending,
		domain.Event{Type: "workspace.created", Workspace: p.ws, Owner: p.owner(), Preset: "caspen"},
		domain.Event{Type: "location.created", Workspace: p.ws, Location: p.ws + "-a"},
		domain.Event{Type: "location.created", Workspace: p.ws, Location: p.ws + "-b"},
		staff(p.manager(), "practice_manager"), staff(p.receptionist(), "receptionist"), staff(p.accountant(), "accountant"))
	for i := range practitionersPerPractice {
		pl.pending = append(pl.pending, staff(p.practitioner(i), "practitioner"))
	}
}

func (pl *platform) addClient() {
	last := len(pl.practices) - 1
	p, i := pl.practices[last], pl.clients[last]
	pl.clients[last]++
	pl.made++
	id, user := p.client(i), p.practitioner(i)
	loc := p.ws + "-a"
	if i%2 == 1 {
		loc = p.ws + "-b"
	}
	pl.pending = append(pl.pending, domain.Event{Type: "client.created", Workspace: p.ws, Client: id, Location: loc, Practitioner: user})
	if pl.clientsOnly {
		return
	}
	pl.pending = append(pl.pending,
		domain.Event{Type: "note.created", Workspace: p.ws, Note: id + "-n", Client: id, Author: user},
		domain.Event{Type: "appointment.booked", Workspace: p.ws, Appointment: id + "-a", Client: id, Practitioner: user},
		domain.Event{Type: "invoice.created", Workspace: p.ws, Invoice: id + "-i", Client: id, Practitioner: user})
}

// questions returns n checks spread over the loaded practices: a practitioner
// about their own and others' clients, notes, appointments and invoices, the
// receptionist about notes (denied) and bookings, and the accountant about
// invoices. About half are allowed.
func (pl *platform) questions(n int, rnd func(int) int) []api.CheckRequest {
	out := make([]api.CheckRequest, 0, n)
	for len(out) < n {
		w := rnd(len(pl.practices))
		p, clients := pl.practices[w], pl.clients[w]
		if clients == 0 {
			continue
		}
		c := rnd(clients)
		own := p.practitioner(c)
		other := p.practitioner(c + 1 + rnd(practitionersPerPractice-1))
		client := "client:" + p.client(c)
		out = append(out, []api.CheckRequest{
			{Subject: "user:" + own, Permission: "view_notes", Resource: client},
			{Subject: "user:" + other, Permission: "view_notes", Resource: client},
			{Subject: "user:" + own, Permission: "view", Resource: "note:" + p.client(c) + "-n"},
			{Subject: "user:" + p.receptionist(), Permission: "view_notes", Resource: client},
			{Subject: "user:" + p.receptionist(), Permission: "book_appointment", Resource: client},
			{Subject: "user:" + p.accountant(), Permission: "view", Resource: "invoice:" + p.client(c) + "-i"},
			{Subject: "user:" + other, Permission: "view", Resource: "appointment:" + p.client(c) + "-a"},
			{Subject: "user:" + p.manager(), Permission: "view", Resource: client},
		}[rnd(8)])
	}
	return out
}
