package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/pgadmin"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/schema"
)

// Config says what Run measures.
type Config struct {
	// Sizes are the relationship counts to load, e.g. 1000, 10000, 100000.
	Sizes []int
	// Stores are SpiceDB datastores to measure on: "memory" and/or "postgres".
	Stores []string
	// PostgresURI is a PostgreSQL server URI whose user may CREATE DATABASE;
	// every size gets fresh databases, dropped afterwards.
	PostgresURI string
	// Calls is how many calls each latency figure is made of.
	Calls int
	// Rounds is how many times each operation is measured, Ward and direct
	// taking turns to go first; every figure is the median of the rounds.
	Rounds int
	// IngestCallers is how many callers load events through Ward at once,
	// each its own practices (and how many write the direct copy); 0 means 1.
	IngestCallers int
	// StreamClients, when set, also loads one practice of that many clients on
	// each store and measures how soon a streamed list of all of them starts,
	// and how long it takes whole.
	StreamClients int
	// DispatchCaches runs the in-process SpiceDB with its dispatch caches on,
	// which Ward leaves off (docs/performance.md, step 28), to measure what
	// they buy.
	DispatchCaches bool
	// Progress receives progress lines (loading, measuring).
	Progress io.Writer
}

// Figures are one operation's latency percentiles and throughput.
type Figures struct {
	P50       time.Duration `json:"p50_ns"`
	P95       time.Duration `json:"p95_ns"`
	P99       time.Duration `json:"p99_ns"`
	PerSecond float64       `json:"per_second"`
}

// Operation is one operation measured through Ward and directly on SpiceDB.
type Operation struct {
	Name    string  `json:"name"`
	Callers int     `json:"callers"`
	Ward    Figures `json:"ward"`
	Direct  Figures `json:"direct"`
}

// Ratio is Ward's p50 over the direct call's (for ingestion: the direct rate
// over Ward's), so above 1 always means Ward is slower.
func (o Operation) Ratio() float64 {
	if o.Name == OpIngest || o.Name == OpImport {
		return o.Direct.PerSecond / o.Ward.PerSecond
	}
	return float64(o.Ward.P50) / float64(o.Direct.P50)
}

// Result is everything measured at one size on one store.
type Result struct {
	Store         string `json:"store"`
	Relationships int    `json:"relationships"`
	Practices     int    `json:"practices"`
	// Clients is the large practice's size, for a streamed-lookup result.
	Clients   int    `json:"clients,omitempty"`
	RSSBytes  int64  `json:"rss_bytes"`
	HeapBytes uint64 `json:"heap_bytes"`
	// PeakRSSBytes is the process's highest resident size from opening the
	// store to the end of loading (Linux; 0 elsewhere), load generator included.
	PeakRSSBytes int64 `json:"peak_rss_bytes,omitempty"`
	// GOGC is the Go collector's setting the run had (the GOGC environment
	// variable; Go's default is 100), which trades memory for CPU.
	GOGC string `json:"gogc,omitempty"`
	// GOMEMLIMIT is the Go runtime's soft memory limit the run had, if any.
	GOMEMLIMIT string `json:"gomemlimit,omitempty"`
	// DispatchCaches says SpiceDB ran with its dispatch caches on.
	DispatchCaches bool        `json:"dispatch_caches,omitempty"`
	Operations     []Operation `json:"operations"`
}

// Operation names.
const (
	OpIngest = "ingest (relationships/s)"
	// OpImport loads the same practices into a fresh store through
	// POST /v1/import, against ImportBulkRelationships straight to SpiceDB.
	OpImport = "ingest by import (relationships/s)"
	OpCheck  = "check"
	// OpCheckToken asks the same questions at least as fresh as a ZedToken
	// that covers every write of the loading: what an app service that passes
	// on its writes' ZedTokens gets instead of full consistency.
	OpCheckToken = "check with a ZedToken from after the writes"
	// OpCheckPaced asks OpCheck's questions from one caller that pauses for
	// checkPause before each call, untimed, on both sides: as an app service
	// does between screens. Back-to-back calls make a memdb check faster
	// than calls after a pause (docs/performance.md, step 26), which favours
	// the direct side's loop over Ward's HTTP round trip. Its calls/s count
	// the pauses.
	OpCheckPaced = "check, each call after a 1 ms pause"
	// OpCheckRecorded asks OpCheck's questions of a Ward that records them
	// in an audit ledger, as ward serve does (the clinical ones: 5 of the
	// 8 kinds of question), against the same Ward unrecorded in the direct
	// column: the ratio is what recording costs.
	OpCheckRecorded = "check recorded in the audit ledger (direct column: Ward unrecorded)"
	OpBulk          = "bulk check of 100"
	OpLookupOwn     = "lookup: a practitioner's clients"
	OpLookupManager = "lookup: every client a manager sees"
	OpExplain       = "explain (direct: traced check)"
	// OpCheckStarted asks, through a Ward whose clock runs startedAhead
	// ahead, about a manager whose holding started later (starts_at, so
	// their written-out access carries caveat during), against the same
	// questions about a manager with no start in the direct column, asked
	// of the same Ward: the ratio is what the caveat costs a check.
	OpCheckStarted = "check on a grant that started later (direct column: Ward, same grant with no start)"
	// OpCheckLimited asks whether a holder of a role that approves charges
	// below an amount may approve a charge on each invoice, giving the amount
	// (caveat amount_below, through the role's bindings), against the same
	// questions about a holder of a role that approves without limit (written
	// out as any grant) in the direct column, asked of the same Ward: the
	// ratio is what a conditional check costs.
	OpCheckLimited = "check limited by amount, with context.amount (direct column: Ward, same charge approved without limit)"
	// OpCheckConditioned asks whether a holder of a role with business
	// hours (open every day, in Sydney) and networks may view each client,
	// giving an ip in them (caveat terms, with CEL's time zone functions),
	// against the same questions about a holder of the same grants with no
	// conditions in the direct column, asked of the same Ward.
	OpCheckConditioned = "check under business hours and networks, with context.ip (direct column: Ward, same grant with no conditions)"
	// The streamed list of every client of one large practice: how soon it
	// starts, and how long it takes whole.
	OpStreamFirst = "stream: first of every client of one practice"
	OpStreamAll   = "stream: every client of one practice"
	// OpFloor is SpiceDB's cheapest check, of one stored relation: what any
	// check costs on the store before its schema adds anything. Ward's API
	// only asks permissions, so it is measured directly only.
	OpFloor           = "floor: check of one stored relation (direct only)"
	concurrentCallers = 16
)

// checkPause is OpCheckPaced's pause; its name says it, so change both together.
const checkPause = time.Millisecond

// Validate names what is wrong with cfg, before anything is measured.
func (cfg Config) Validate() error {
	for _, s := range cfg.Stores {
		if s != spicedb.EngineMemory && s != spicedb.EnginePostgres {
			return fmt.Errorf("--stores: unknown store %q: use memory and/or postgres", s)
		}
	}
	if slices.Contains(cfg.Stores, spicedb.EnginePostgres) && cfg.PostgresURI == "" {
		return errors.New("--stores postgres needs --postgres-uri (or WARD_POSTGRES_URI): a server whose user may CREATE DATABASE")
	}
	if cfg.Rounds < 0 {
		return fmt.Errorf("--rounds: %d is not a count of rounds", cfg.Rounds)
	}
	if cfg.IngestCallers < 0 {
		return fmt.Errorf("--ingest-callers: %d is not a count of callers", cfg.IngestCallers)
	}
	if cfg.StreamClients < 0 {
		return fmt.Errorf("--stream-clients: %d is not a count of clients", cfg.StreamClients)
	}
	for _, n := range cfg.Sizes {
		if n <= 0 {
			return fmt.Errorf("--sizes: %d is not a positive relationship count", n)
		}
	}
	return nil
}

// Run loads each size on each store through Ward's events API and measures
// every operation through Ward's HTTP API and straight to the same SpiceDB.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Calls <= 0 {
		cfg.Calls = 1000
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 1
	}
	cfg.IngestCallers = max(cfg.IngestCallers, 1)
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	var out []Result
	for _, store := range cfg.Stores {
		for _, size := range cfg.Sizes {
			r, err := runOne(ctx, cfg, store, size)
			if err != nil {
				return out, fmt.Errorf("%s, %d relationships: %w", store, size, err)
			}
			out = append(out, r)
		}
		if cfg.StreamClients > 0 {
			r, err := runStream(ctx, cfg, store)
			if err != nil {
				return out, fmt.Errorf("%s, a practice of %d clients: %w", store, cfg.StreamClients, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// target is one SpiceDB with Ward's HTTP API in front of it.
type target struct {
	direct v1.PermissionsServiceClient
	ward   *client.Client
	close  func()
	// service is what ward serves; uri is the store's PostgreSQL database
	// ("" on memory).
	service httpapi.Authorizer
	uri     string
	// placeOf names resources' practices, as `ward serve`'s recording does.
	placeOf func(context.Context, []domain.Object) ([]string, error)
	// conn is the in-process SpiceDB's connection, for a second adapter.
	conn *grpc.ClientConn
}

// startedAhead is how far ahead OpCheckStarted's Ward runs its clock: past
// the start its events give, an hour after loading.
const startedAhead = 2 * time.Hour

// ahead serves a second Ward API over t's SpiceDB whose clock runs by ahead
// in front, and returns a client of it and what stops it.
func (t *target) ahead(by time.Duration, logger *slog.Logger) (*client.Client, func(), error) {
	adapter := spicedb.NewWithConfig(t.conn, logger, spicedb.Config{Now: func() time.Time { return time.Now().Add(by) }})
	return serveWard(service.New(adapter, logger), logger)
}

// limited adds two approvers to practice p, one of a role that approves
// charges below an amount and one of a role that approves without limit, and
// returns the same questions about each: approving a charge on each client's
// invoice, with an amount below the limit.
func limited(ctx context.Context, ward *client.Client, p practice, clients int) (below, plain []api.CheckRequest, err error) {
	amount := 120.0
	return holderPair(ctx, ward, p, clients, holders{
		with:     benchRole{"approver_below", `"grants":{"invoices":{"approve":{"level":"all","amount_below":500}}}`},
		without:  benchRole{"approver", `"grants":{"invoices":{"approve":"all"}}`},
		question: api.CheckRequest{Permission: "approve_charge", Context: &api.CheckContext{Amount: &amount}},
		resource: func(client string) string { return "invoice:" + client + "-i" },
	})
}

// conditioned adds two viewers of every client to practice p, one of a
// role with business hours that are always open and networks, one of a role
// without, and returns the same questions about each, giving an ip in the
// networks.
func conditioned(ctx context.Context, ward *client.Client, p practice, clients int) (within, plain []api.CheckRequest, err error) {
	ip := "10.1.2.3"
	return holderPair(ctx, ward, p, clients, holders{
		with: benchRole{"viewer_hours", `"grants":{"clients":{"view":"all"}},` +
			`"hours":{"timezone":"Australia/Sydney","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"from":"00:00","to":"24:00"}]},"networks":["10.0.0.0/8","192.168.0.0/16"]`},
		without:  benchRole{"viewer", `"grants":{"clients":{"view":"all"}}`},
		question: api.CheckRequest{Permission: "view", Context: &api.CheckContext{IP: &ip}},
		resource: func(client string) string { return "client:" + client },
	})
}

// holders is two roles that give the same access, one of them with
// something that narrows it, and the question each holder is asked of every
// client's resource.
type holders struct {
	with, without benchRole
	question      api.CheckRequest
	resource      func(client string) string
}

// benchRole is a role a benchmark defines: its name, and the rest of its
// role.defined fields as JSON.
type benchRole struct{ name, fields string }

// holderPair defines h's two roles in practice p, adds one holder of each
// (p.ws-with and p.ws-without), and returns the same question about each
// for every client.
func holderPair(ctx context.Context, ward *client.Client, p practice, clients int, h holders) (with, without []api.CheckRequest, err error) {
	var events []json.RawMessage
	for _, side := range []struct {
		role benchRole
		user string
	}{{h.with, p.ws + "-with"}, {h.without, p.ws + "-without"}} {
		events = append(events,
			json.RawMessage(fmt.Sprintf(`{"type":"role.defined","workspace":%q,"role":%q,%s}`, p.ws, side.role.name, side.role.fields)),
			json.RawMessage(fmt.Sprintf(`{"type":"staff.added","workspace":%q,"user":%q,"role":%q}`, p.ws, side.user, side.role.name)))
	}
	if _, err := ward.ApplyEvents(ctx, events); err != nil {
		return nil, nil, err
	}
	for c := range clients {
		q := h.question
		q.Resource = h.resource(p.client(c))
		q.Subject = "user:" + p.ws + "-with"
		with = append(with, q)
		q.Subject = "user:" + p.ws + "-without"
		without = append(without, q)
	}
	return with, without, nil
}

// started adds two managers to practice p, one whose holding starts an hour
// from now and one with no start, and returns the same questions about each:
// their view of each of p's clients and their appointments.
func started(ctx context.Context, ward *client.Client, p practice, clients int) (later, plain []api.CheckRequest, err error) {
	start := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	events := []json.RawMessage{
		json.RawMessage(fmt.Sprintf(`{"type":"staff.added","workspace":%q,"user":%q,"role":"practice_manager","starts_at":%q}`, p.ws, p.ws+"-later", start)),
		json.RawMessage(fmt.Sprintf(`{"type":"staff.added","workspace":%q,"user":%q,"role":"practice_manager"}`, p.ws, p.ws+"-plain")),
	}
	if _, err := ward.ApplyEvents(ctx, events); err != nil {
		return nil, nil, err
	}
	for c := range clients {
		for _, res := range []string{"client:" + p.client(c), "appointment:" + p.client(c) + "-a"} {
			later = append(later, api.CheckRequest{Subject: "user:" + p.ws + "-later", Permission: "view", Resource: res})
			plain = append(plain, api.CheckRequest{Subject: "user:" + p.ws + "-plain", Permission: "view", Resource: res})
		}
	}
	return later, plain, nil
}

func runOne(ctx context.Context, cfg Config, store string, size int) (Result, error) {
	res := Result{Store: store, DispatchCaches: cfg.DispatchCaches}
	resetPeakRSS()
	t, err := open(ctx, cfg, store, true)
	if err != nil {
		return res, err
	}
	defer t.close()

	pls := striped(cfg.IngestCallers)
	spent, err := load(ctx, cfg, t.ward, pls, store, size)
	if err != nil {
		return res, err
	}
	pl := joined(pls)
	// Memory after loading, before the copies below fill the heap.
	res.memory()
	// Both rates count what SpiceDB holds after loading, Ward's ID markers
	// included: the direct side writes exactly those relationships, read
	// once for both copies.
	var stored []*v1.Relationship
	if err := exportAll(ctx, t.direct, func(rels []*v1.Relationship) error { stored = append(stored, rels...); return nil }); err != nil {
		return res, err
	}
	direct, err := directIngest(ctx, cfg, stored, store)
	if err != nil {
		return res, err
	}
	res.Relationships, res.Practices = len(stored), len(pl.practices)
	res.Operations = append(res.Operations, Operation{Name: OpIngest, Callers: cfg.IngestCallers,
		Ward: Figures{PerSecond: float64(len(stored)) / spent.Seconds()}, Direct: Figures{PerSecond: direct}})
	imp, err := importIngest(ctx, cfg, stored, store, replay(pls))
	if err != nil {
		return res, err
	}
	res.Operations = append(res.Operations, imp)

	rng := rand.New(rand.NewPCG(uint64(size), 7))
	qs := pl.questions(256, rng.IntN)
	measurePaced := func(name string, callers, calls int, pause time.Duration, ward, direct func(i int) error) error {
		fmt.Fprintf(cfg.Progress, "%s %d: %s, %d callers\n", store, res.Relationships, name, callers)
		op, err := alternate(cfg.Rounds, name, calls, callers, pause, ward, direct)
		if err != nil {
			return err
		}
		res.Operations = append(res.Operations, op)
		return nil
	}
	measure := func(name string, callers, calls int, ward, direct func(i int) error) error {
		return measurePaced(name, callers, calls, 0, ward, direct)
	}
	directQs := make([]*v1.CheckPermissionRequest, len(qs))
	for i, q := range qs {
		if directQs[i], err = checkRequest(q); err != nil {
			return res, err
		}
	}
	first := pl.practices[0]
	floor := &v1.CheckPermissionRequest{
		Consistency: fullyConsistent(),
		Resource:    &v1.ObjectReference{ObjectType: domain.TypeWorkspace, ObjectId: first.ws},
		Permission:  "owner",
		Subject:     &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: domain.TypeUser, ObjectId: first.owner()}},
	}
	// A ZedToken covering every write of the loading: that of a fully
	// consistent check made after them all (with several loaders, no one
	// write's token need cover the others' writes).
	after, err := t.direct.CheckPermission(ctx, floor)
	if err != nil {
		return res, err
	}
	tokenQs, directTokenQs := withToken(qs, directQs, after.GetCheckedAt().GetToken())
	for _, c := range []struct {
		name   string
		ward   []api.CheckRequest
		direct []*v1.CheckPermissionRequest
	}{{OpCheck, qs, directQs}, {OpCheckToken, tokenQs, directTokenQs}} {
		for _, callers := range []int{1, concurrentCallers} {
			if err := measure(c.name, callers, cfg.Calls,
				func(i int) error { _, err := t.ward.Check(ctx, c.ward[i%len(qs)]); return err },
				func(i int) error { _, err := t.direct.CheckPermission(ctx, c.direct[i%len(qs)]); return err },
			); err != nil {
				return res, err
			}
		}
	}

	recorded, stopRecorded, err := t.recorded(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		return res, fmt.Errorf("opening an audit ledger: %w", err)
	}
	defer stopRecorded()
	for _, callers := range []int{1, concurrentCallers} {
		if err := measure(OpCheckRecorded, callers, cfg.Calls,
			func(i int) error { _, err := recorded.Check(ctx, qs[i%len(qs)]); return err },
			func(i int) error { _, err := t.ward.Check(ctx, qs[i%len(qs)]); return err },
		); err != nil {
			return res, err
		}
	}

	if err := measurePaced(OpCheckPaced, 1, cfg.Calls, checkPause,
		func(i int) error { _, err := t.ward.Check(ctx, qs[i%len(qs)]); return err },
		func(i int) error { _, err := t.direct.CheckPermission(ctx, directQs[i%len(qs)]); return err },
	); err != nil {
		return res, err
	}

	if err := measure(OpFloor, 1, cfg.Calls, nil,
		func(int) error { _, err := t.direct.CheckPermission(ctx, floor); return err },
	); err != nil {
		return res, err
	}

	bulk, directBulk := api.BulkCheckRequest{}, &v1.CheckBulkPermissionsRequest{Consistency: fullyConsistent()}
	for i := range 100 {
		q, d := qs[i%len(qs)], directQs[i%len(qs)]
		bulk.Checks = append(bulk.Checks, api.BulkCheckItem{Subject: q.Subject, Permission: q.Permission, Resource: q.Resource})
		directBulk.Items = append(directBulk.Items, &v1.CheckBulkPermissionsRequestItem{Resource: d.Resource, Permission: d.Permission, Subject: d.Subject})
	}
	few := max(cfg.Calls/10, 10)
	if err := measure(OpBulk, 1, few,
		func(int) error { _, err := t.ward.CheckBulk(ctx, bulk); return err },
		func(int) error { _, err := t.direct.CheckBulkPermissions(ctx, directBulk); return err },
	); err != nil {
		return res, err
	}

	for _, l := range []struct{ name, user string }{
		{OpLookupOwn, first.practitioner(0)},
		{OpLookupManager, first.manager()},
	} {
		if err := measure(l.name, 1, few,
			func(int) error { return wardLookup(ctx, t.ward, l.user) },
			func(int) error { return directLookup(ctx, t.direct, l.user) },
		); err != nil {
			return res, err
		}
	}

	later, plain, err := started(ctx, t.ward, first, pl.clients[0])
	if err != nil {
		return res, fmt.Errorf("adding managers whose holding starts later: %w", err)
	}
	aheadWard, stopAhead, err := t.ahead(startedAhead, slog.New(slog.DiscardHandler))
	if err != nil {
		return res, err
	}
	defer stopAhead()
	for _, q := range later[:1] {
		if r, err := aheadWard.Check(ctx, q); err != nil || !r.Allowed {
			return res, fmt.Errorf("%v, asked %s ahead: allowed=%v (%v), want allowed once the holding has started", q, startedAhead, r.Allowed, err)
		}
	}
	if err := measure(OpCheckStarted, 1, cfg.Calls,
		func(i int) error { _, err := aheadWard.Check(ctx, later[i%len(later)]); return err },
		func(i int) error { _, err := aheadWard.Check(ctx, plain[i%len(plain)]); return err },
	); err != nil {
		return res, err
	}

	for _, pair := range []struct {
		op, what, why string
		add           func(context.Context, *client.Client, practice, int) ([]api.CheckRequest, []api.CheckRequest, error)
	}{
		{OpCheckLimited, "approvers with and without an amount limit", "below the limit", limited},
		{OpCheckConditioned, "viewers with and without business hours and networks", "within the hours and networks", conditioned},
	} {
		with, without, err := pair.add(ctx, t.ward, first, pl.clients[0])
		if err != nil {
			return res, fmt.Errorf("adding %s: %w", pair.what, err)
		}
		for _, q := range []api.CheckRequest{with[0], without[0]} {
			if r, err := t.ward.Check(ctx, q); err != nil || !r.Allowed {
				return res, fmt.Errorf("%v: allowed=%v (%v), want allowed %s", q, r.Allowed, err, pair.why)
			}
		}
		if err := measure(pair.op, 1, cfg.Calls,
			func(i int) error { _, err := t.ward.Check(ctx, with[i%len(with)]); return err },
			func(i int) error { _, err := t.ward.Check(ctx, without[i%len(without)]); return err },
		); err != nil {
			return res, err
		}
	}

	if err := measure(OpExplain, 1, few,
		func(i int) error { _, err := t.ward.Explain(ctx, qs[i%len(qs)]); return err },
		func(i int) error {
			r := proto.CloneOf(directQs[i%len(qs)])
			r.WithTracing = true
			_, err := t.direct.CheckPermission(ctx, r)
			return err
		},
	); err != nil {
		return res, err
	}
	return res, nil
}

// errFirst stops a stream at its first result.
var errFirst = errors.New("first result")

// runStream loads one practice of cfg.StreamClients clients (without records)
// and measures, through Ward's streamed lookup and straight from SpiceDB's
// LookupResources, how soon the manager's list of every client starts and how
// long the whole list takes.
func runStream(ctx context.Context, cfg Config, store string) (Result, error) {
	res := Result{Store: store, Clients: cfg.StreamClients, Practices: 1, DispatchCaches: cfg.DispatchCaches}
	resetPeakRSS()
	t, err := open(ctx, cfg, store, true)
	if err != nil {
		return res, err
	}
	defer t.close()
	pl := &platform{perPractice: cfg.StreamClients, clientsOnly: true, limit: cfg.StreamClients}
	if _, err = load(ctx, cfg, t.ward, []*platform{pl}, store, math.MaxInt); err != nil {
		return res, err
	}
	if res.Relationships, err = countStored(ctx, t.direct); err != nil {
		return res, err
	}
	res.memory()
	manager := pl.practices[0].manager()
	req := api.LookupStreamRequest{Subject: "user:" + manager, Permission: "view", ResourceType: domain.TypeClient}
	ward := func(first bool) func(int) error {
		return func(int) error {
			n := 0
			_, err := t.ward.StreamResources(ctx, req, func(string) error {
				if n++; first {
					return errFirst
				}
				return nil
			})
			return streamEnd(err, first, n, cfg.StreamClients)
		}
	}
	direct := func(first bool) func(int) error {
		return func(int) error {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			stream, err := t.direct.LookupResources(cctx, &v1.LookupResourcesRequest{
				Consistency: fullyConsistent(), ResourceObjectType: domain.TypeClient, Permission: "view",
				Subject: &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: domain.TypeUser, ObjectId: manager}},
			})
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for {
				r, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					return streamEnd(nil, first, len(seen), cfg.StreamClients)
				}
				if err != nil {
					return err
				}
				if seen[r.GetResourceObjectId()] = true; first {
					return streamEnd(errFirst, first, 1, cfg.StreamClients)
				}
			}
		}
	}
	calls := max(cfg.Calls/100, 3)
	for _, op := range []struct {
		name  string
		first bool
	}{{OpStreamFirst, true}, {OpStreamAll, false}} {
		fmt.Fprintf(cfg.Progress, "%s, %d clients: %s\n", store, cfg.StreamClients, op.name)
		o, err := alternate(cfg.Rounds, op.name, calls, 1, 0, ward(op.first), direct(op.first))
		if err != nil {
			return res, err
		}
		res.Operations = append(res.Operations, o)
	}
	return res, nil
}

// streamEnd checks how a streamed list ended: at its first result when first,
// else with every one of want clients.
func streamEnd(err error, first bool, got, want int) error {
	switch {
	case first && errors.Is(err, errFirst):
		return nil
	case err != nil:
		return err
	case first:
		return errors.New("the list was empty")
	case got != want:
		return fmt.Errorf("the list held %d clients, want %d", got, want)
	}
	return nil
}

// load applies the platforms' events through Ward's HTTP API, one caller per
// platform, until together they have written size relationships (Ward's ID
// markers aside; or the platforms have no more events), and returns how long
// that took.
func load(ctx context.Context, cfg Config, ward *client.Client, pls []*platform, store string, size int) (time.Duration, error) {
	perRequest := min(maxEventsPerRequest, max(size/40, 25))
	var written atomic.Int64
	var shown sync.Mutex
	lastShown := time.Time{}
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for _, pl := range pls {
		g.Go(func() error {
			for written.Load() < int64(size) {
				events := pl.next(perRequest)
				if len(events) == 0 {
					return nil
				}
				raw, err := marshalEvents(events)
				if err != nil {
					return err
				}
				resp, err := ward.ApplyEvents(gctx, raw)
				if err != nil {
					return fmt.Errorf("loading events: %w", err)
				}
				n := written.Add(int64(resp.Touched))
				shown.Lock()
				if time.Since(lastShown) > 2*time.Second || n >= int64(size) {
					lastShown = time.Now()
					target := fmt.Sprintf("/%d", size)
					if size == math.MaxInt {
						target = fmt.Sprintf(" (%d clients)", pl.made)
					}
					fmt.Fprintf(cfg.Progress, "%s: loaded %d%s relationships through Ward, %d callers (%.0f/s)\n", store, n, target, len(pls), float64(n)/time.Since(start).Seconds())
				}
				shown.Unlock()
			}
			return nil
		})
	}
	err := g.Wait()
	return time.Since(start), err
}

// directIngest writes rels into a fresh store of the given kind with
// WriteRelationships calls of 1,000 (SpiceDB's default limit), made by as many
// concurrent callers as Ward's loading had, and returns the rate of those
// writes.
func directIngest(ctx context.Context, cfg Config, rels []*v1.Relationship, store string) (float64, error) {
	var batches [][]*v1.RelationshipUpdate
	for chunk := range slices.Chunk(rels, 1000) {
		batch := make([]*v1.RelationshipUpdate, len(chunk))
		for i, r := range chunk {
			batch[i] = &v1.RelationshipUpdate{Operation: v1.RelationshipUpdate_OPERATION_TOUCH, Relationship: r}
		}
		batches = append(batches, batch)
	}
	to, err := open(ctx, cfg, store, false)
	if err != nil {
		return 0, err
	}
	defer to.close()
	spent, err := concurrently(ctx, cfg.IngestCallers, len(batches), func(ctx context.Context, i int) error {
		_, err := to.direct.WriteRelationships(ctx, &v1.WriteRelationshipsRequest{Updates: batches[i]})
		return err
	})
	if err != nil {
		return 0, err
	}
	rate := float64(len(rels)) / spent.Seconds()
	fmt.Fprintf(cfg.Progress, "%s: wrote the same %d relationships straight to SpiceDB, %d callers (%.0f/s)\n", store, len(rels), cfg.IngestCallers, rate)
	return rate, nil
}

// importIngest loads events into a fresh store through Ward's POST /v1/import,
// one practice a request (as a platform moving its practices over would send
// them, and so that every caller has work from four practices on), and
// writes stored, the relationships the same events wrote through the events
// API (which an import writes exactly), into another fresh store with
// ImportBulkRelationships streams of 10,000; both sides make their calls from
// cfg.IngestCallers callers at once. It returns both rates over len(stored).
func importIngest(ctx context.Context, cfg Config, stored []*v1.Relationship, store string, events []domain.Event) (Operation, error) {
	op := Operation{Name: OpImport, Callers: cfg.IngestCallers}
	var requests [][]json.RawMessage
	for start := 0; start < len(events); {
		end := start + 1
		for end < len(events) && events[end].Type != "workspace.created" {
			end++
		}
		raw, err := marshalEvents(events[start:end])
		if err != nil {
			return op, err
		}
		requests = append(requests, raw)
		start = end
	}
	t, err := open(ctx, cfg, store, true)
	if err != nil {
		return op, err
	}
	defer t.close()
	spent, err := concurrently(ctx, cfg.IngestCallers, len(requests), func(ctx context.Context, i int) error {
		if _, err := t.ward.Import(ctx, requests[i]); err != nil {
			return fmt.Errorf("importing practices: %w", err)
		}
		return nil
	})
	if err != nil {
		return op, err
	}
	op.Ward.PerSecond = float64(len(stored)) / spent.Seconds()
	fmt.Fprintf(cfg.Progress, "%s: imported %d relationships through Ward, %d callers (%.0f/s)\n", store, len(stored), cfg.IngestCallers, op.Ward.PerSecond)

	batches := slices.Collect(slices.Chunk(stored, 10000))
	to, err := open(ctx, cfg, store, false)
	if err != nil {
		return op, err
	}
	defer to.close()
	spent, err = concurrently(ctx, cfg.IngestCallers, len(batches), func(ctx context.Context, i int) error {
		s, err := to.direct.ImportBulkRelationships(ctx)
		if err != nil {
			return err
		}
		for msg := range slices.Chunk(batches[i], 1000) {
			if s.Send(&v1.ImportBulkRelationshipsRequest{Relationships: msg}) != nil {
				break // the stream's own error comes from CloseAndRecv
			}
		}
		_, err = s.CloseAndRecv()
		return err
	})
	if err != nil {
		return op, err
	}
	op.Direct.PerSecond = float64(len(stored)) / spent.Seconds()
	fmt.Fprintf(cfg.Progress, "%s: imported the same %d relationships straight to SpiceDB, %d callers (%.0f/s)\n", store, len(stored), cfg.IngestCallers, op.Direct.PerSecond)
	return op, nil
}

// marshalEvents encodes events as one request's raw JSON events.
func marshalEvents(events []domain.Event) ([]json.RawMessage, error) {
	raw := make([]json.RawMessage, len(events))
	for i, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		raw[i] = b
	}
	return raw, nil
}

// concurrently calls fn(0) ... fn(count-1) from callers goroutines, each
// taking the next index, and returns how long they took; it stops at the
// first error.
func concurrently(ctx context.Context, callers, count int, fn func(ctx context.Context, i int) error) (time.Duration, error) {
	var next atomic.Int64
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for range callers {
		g.Go(func() error {
			for i := int(next.Add(1)) - 1; i < count; i = int(next.Add(1)) - 1 {
				if err := fn(gctx, i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	err := g.Wait()
	return time.Since(start), err
}

// countStored counts the relationships SpiceDB holds.
func countStored(ctx context.Context, direct v1.PermissionsServiceClient) (int, error) {
	n := 0
	err := exportAll(ctx, direct, func(rels []*v1.Relationship) error { n += len(rels); return nil })
	return n, err
}

// exportAll passes every relationship SpiceDB holds to fn, in the batches
// ExportBulkRelationships sends.
func exportAll(ctx context.Context, from v1.PermissionsServiceClient, fn func([]*v1.Relationship) error) error {
	stream, err := from.ExportBulkRelationships(ctx, &v1.ExportBulkRelationshipsRequest{Consistency: fullyConsistent()})
	if err != nil {
		return err
	}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(resp.GetRelationships()); err != nil {
			return err
		}
	}
}

func wardLookup(ctx context.Context, ward *client.Client, user string) error {
	req := api.LookupResourcesRequest{Subject: "user:" + user, Permission: "view", ResourceType: "client", Limit: 1000}
	for {
		page, err := ward.LookupResources(ctx, req)
		if err != nil {
			return err
		}
		if page.Cursor == "" {
			return nil
		}
		req.Cursor = page.Cursor
	}
}

func directLookup(ctx context.Context, direct v1.PermissionsServiceClient, user string) error {
	stream, err := direct.LookupResources(ctx, &v1.LookupResourcesRequest{
		Consistency: fullyConsistent(), ResourceObjectType: "client", Permission: "view",
		Subject: &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: "user", ObjectId: user}},
	})
	if err != nil {
		return err
	}
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// Sample makes calls calls of op from callers goroutines and returns the
// latency percentiles and the throughput.
func Sample(calls, callers int, op func(i int) error) (Figures, error) {
	return samplePaced(calls, callers, 0, op)
}

// samplePaced is Sample with each caller sleeping for pause before each call;
// the latencies leave the pauses out, the throughput counts them.
func samplePaced(calls, callers int, pause time.Duration, op func(i int) error) (Figures, error) {
	lat := make([]time.Duration, calls)
	elapsed, err := concurrently(context.Background(), callers, calls, func(_ context.Context, i int) error {
		if pause > 0 {
			time.Sleep(pause)
		}
		t0 := time.Now()
		if err := op(i); err != nil {
			return err
		}
		lat[i] = time.Since(t0)
		return nil
	})
	if err != nil {
		return Figures{}, err
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return Figures{P50: pct(0.50), P95: pct(0.95), P99: pct(0.99), PerSecond: float64(calls) / elapsed.Seconds()}, nil
}

// alternate measures an operation in rounds, Ward and direct taking turns to
// go first so that neither always runs on a warmer (or busier) server, and
// returns each figure's median. Every call comes after pause (untimed; 0 for
// none). A nil ward measures the direct side only.
func alternate(rounds int, name string, calls, callers int, pause time.Duration, ward, direct func(i int) error) (Operation, error) {
	op := Operation{Name: name, Callers: callers}
	var wards, directs []Figures
	for round := range rounds {
		for turn := range 2 {
			if (round+turn)%2 == 0 {
				f, err := samplePaced(calls, callers, pause, direct)
				if err != nil {
					return op, fmt.Errorf("%s straight to SpiceDB: %w", name, err)
				}
				directs = append(directs, f)
			} else if ward != nil {
				f, err := samplePaced(calls, callers, pause, ward)
				if err != nil {
					return op, fmt.Errorf("%s through Ward: %w", name, err)
				}
				wards = append(wards, f)
			}
		}
	}
	op.Direct, op.Ward = Median(directs), Median(wards)
	return op, nil
}

// Median is the median of each figure over rounds (each figure on its own),
// or the zero Figures for none.
func Median(rounds []Figures) Figures {
	if len(rounds) == 0 {
		return Figures{}
	}
	mid := func(get func(Figures) float64) float64 {
		v := make([]float64, len(rounds))
		for i, f := range rounds {
			v[i] = get(f)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	d := func(get func(Figures) time.Duration) time.Duration {
		return time.Duration(mid(func(f Figures) float64 { return float64(get(f)) }))
	}
	return Figures{
		P50:       d(func(f Figures) time.Duration { return f.P50 }),
		P95:       d(func(f Figures) time.Duration { return f.P95 }),
		P99:       d(func(f Figures) time.Duration { return f.P99 }),
		PerSecond: mid(func(f Figures) float64 { return f.PerSecond }),
	}
}

func fullyConsistent() *v1.Consistency {
	return &v1.Consistency{Requirement: &v1.Consistency_FullyConsistent{FullyConsistent: true}}
}

// withToken returns copies of Ward's and the direct questions that ask at
// least as fresh as token.
func withToken(qs []api.CheckRequest, direct []*v1.CheckPermissionRequest, token string) ([]api.CheckRequest, []*v1.CheckPermissionRequest) {
	fresh := &v1.Consistency{Requirement: &v1.Consistency_AtLeastAsFresh{AtLeastAsFresh: &v1.ZedToken{Token: token}}}
	outQs, outDirect := slices.Clone(qs), make([]*v1.CheckPermissionRequest, len(direct))
	for i := range qs {
		outQs[i].ZedToken = token
		outDirect[i] = proto.CloneOf(direct[i])
		outDirect[i].Consistency = fresh
	}
	return outQs, outDirect
}

// checkRequest is the direct equivalent of one of Ward's checks, as fully
// consistent as Ward's default.
func checkRequest(c api.CheckRequest) (*v1.CheckPermissionRequest, error) {
	q, err := domain.ParseQuestion(c.Subject, c.Permission, c.Resource)
	if err != nil {
		return nil, err
	}
	return &v1.CheckPermissionRequest{
		Consistency: fullyConsistent(),
		Resource:    &v1.ObjectReference{ObjectType: q.Resource.Type, ObjectId: q.Resource.ID},
		Permission:  q.Permission,
		Subject:     &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: q.Subject.Type, ObjectId: q.Subject.ID}},
	}, nil
}

// open starts SpiceDB in this process on store (a fresh PostgreSQL database
// for "postgres") and, when withWard, Ward's HTTP API on a loopback port.
func open(ctx context.Context, cfg Config, store string, withWard bool) (*target, error) {
	logger := slog.New(slog.DiscardHandler)
	var cleanups []func()
	t := &target{close: func() {
		for _, c := range slices.Backward(cleanups) {
			c()
		}
	}}
	ecfg := spicedb.EmbeddedConfig{Engine: store, DispatchCaches: cfg.DispatchCaches}
	if store == spicedb.EnginePostgres {
		uri, drop, err := pgadmin.CreateDatabase(ctx, cfg.PostgresURI, "ward_bench")
		if err != nil {
			return nil, err
		}
		cleanups = append(cleanups, drop)
		ecfg.URI, ecfg.Migrate = uri, true
	}
	emb, err := spicedb.StartEmbedded(ctx, ecfg, logger)
	if err != nil {
		t.close()
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = emb.Close() })
	t.direct, t.conn = v1.NewPermissionsServiceClient(emb.Conn()), emb.Conn()
	adapter := spicedb.NewWithConfig(emb.Conn(), logger, emb.StoreConfig())
	if _, err := adapter.WriteSchema(ctx, schema.Text); err != nil {
		t.close()
		return nil, err
	}
	if !withWard {
		return t, nil
	}
	t.service, t.uri = service.New(adapter, logger), ecfg.URI
	t.placeOf = service.NewPlatformKeys(adapter).WorkspacesOf
	ward, stop, err := serveWard(t.service, logger)
	if err != nil {
		t.close()
		return nil, err
	}
	cleanups = append(cleanups, stop)
	t.ward = ward
	return t, nil
}

// recorded serves a second Ward API over t's service that records in an
// audit ledger as `ward serve` does: in t's PostgreSQL database, or in a
// file in a temporary directory on memory. It returns a client of it and
// what stops it.
func (t *target) recorded(ctx context.Context, logger *slog.Logger) (*client.Client, func(), error) {
	var ledger audit.Ledger
	var dir string
	var err error
	if t.uri != "" {
		ledger, err = audit.OpenPG(ctx, t.uri)
	} else {
		if dir, err = os.MkdirTemp("", "ward-bench-audit"); err == nil {
			ledger, err = audit.OpenFile(dir)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	policy, err := server.DecisionPolicy(server.Config{})
	if err != nil {
		return nil, nil, err
	}
	rec := audit.NewRecorder(ledger)
	auth, stopGrants := server.Audited(t.service, rec, server.AuditOptions{Policy: policy, PlaceOf: t.placeOf}, logger)
	ward, stop, err := serveWard(auth, logger)
	return ward, func() {
		if stop != nil {
			stop()
		}
		stopGrants()
		rec.Close()
		_ = ledger.Close()
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
	}, err
}

// serveWard serves Ward's HTTP API over auth on a loopback port and returns
// a client of it and what stops it.
func serveWard(auth httpapi.Authorizer, logger *slog.Logger) (*client.Client, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: httpapi.New(auth, httpapi.Config{Logger: logger}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	ward := client.New("http://"+ln.Addr().String(), "", &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}})
	return ward, func() { _ = srv.Close() }, nil
}

// memory records the process's resident size and Go heap after a
// collection, its peak resident size since resetPeakRSS, and GOGC.
func (res *Result) memory() {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.RSSBytes, res.PeakRSSBytes, res.HeapBytes = procStatusBytes("VmRSS:"), procStatusBytes("VmHWM:"), ms.HeapAlloc
	// The kernel moves its peak on lazily (after clear_refs it can lag the
	// resident size it has just reported), and the two are separate reads:
	// the peak is at least the resident size read.
	res.PeakRSSBytes = max(res.PeakRSSBytes, res.RSSBytes)
	res.GOGC, res.GOMEMLIMIT = cmp.Or(os.Getenv("GOGC"), "100"), os.Getenv("GOMEMLIMIT")
}

// resetPeakRSS starts the kernel's record of this process's peak resident
// size afresh (Linux; elsewhere it does nothing).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// procStatusBytes is a size field of /proc/self/status (Linux), or 0.
func procStatusBytes(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
