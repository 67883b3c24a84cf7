package spicedb

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wardhq/ward/internal/domain"
)

// MaxUpdatesPerWrite bounds the relationship updates of one atomic event
// request, which Ward sends as one WriteRelationships call. SpiceDB's own
// default is 1,000; a role change writes out access for each of its holders, so
// Ward runs SpiceDB with this limit (an external SpiceDB needs
// --write-relationships-max-updates-per-call of at least this).
const MaxUpdatesPerWrite = domain.MaxChangesPerRequest

// applyBudget bounds how long a write keeps retrying when writers in other Ward
// instances race it on a workspace; between attempts it backs off for a random,
// growing while. (Writers in this process queue on a mutex instead.)
const applyBudget = 30 * time.Second

// Client is Ward's adapter over SpiceDB's permissions and schema services.
type Client struct {
	perms  v1.PermissionsServiceClient
	schema v1.SchemaServiceClient
	logger *slog.Logger
	// writers serialise this process's writes per workspace (striped by hash), so
	// one instance never races itself; the lock relationship guards across instances.
	writers [64]sync.Mutex
	// writing lets one WriteRelationships call of this process run at a time,
	// whatever its workspaces; reads and planning still overlap. SpiceDB runs
	// PostgreSQL writes SERIALIZABLE, and PostgreSQL's planner can read a
	// workspace's lock through an index keyed by types and relations only,
	// shared by every workspace's lock, where each write also inserts its new
	// lock: concurrent writes, even to different practices, then abort each
	// other and SpiceDB retries them whole (docs/performance.md, step 14).
	writing sync.Mutex
	// origin is the datastore SpiceDB's ZedTokens name, once learned
	// (checkOrigin).
	origin atomic.Pointer[string]
	// confirmWait bounds how long a write waits for consistent reads to show
	// it (awaitVisible).
	confirmWait time.Duration
	// streamTimeout is SpiceDB's (Config.StreamTimeout).
	streamTimeout time.Duration
	// pages keeps whole lookup answers for paged lookups.
	pages *pageCache
}

// confirmWait is how long a write waits, by default, for fully consistent
// reads to show it before it is answered as unconfirmed.
const confirmWait = 10 * time.Second

// lockWorkspaces takes this process's write locks of workspaces, in a fixed
// order so that requests naming several workspaces cannot deadlock.
func (c *Client) lockWorkspaces(workspaces []string) (unlock func()) {
	var stripes []int
	for _, ws := range workspaces {
		h := fnv.New32a()
		_, _ = h.Write([]byte(ws))
		stripes = append(stripes, int(h.Sum32()%uint32(len(c.writers))))
	}
	slices.Sort(stripes)
	stripes = slices.Compact(stripes)
	for _, i := range stripes {
		c.writers[i].Lock()
	}
	return func() {
		for _, i := range stripes {
			c.writers[i].Unlock()
		}
	}
}

// Config tunes a Client; its zero value is Ward's defaults.
type Config struct {
	// StreamTimeout is how long SpiceDB lets a stream run without sending a
	// message (--streaming-api-response-delay-timeout); 0 means its default,
	// DefaultStreamTimeout. An import is cancelled past it.
	StreamTimeout time.Duration
	// PageCacheEntries and PageCacheBytes bound the cache of whole lookup
	// answers that paged lookups are cut from (LookupResourcesPage): at most
	// this many answers, holding at most this many bytes of IDs. 0 means
	// DefaultPageCacheEntries and DefaultPageCacheBytes; negative entries turn
	// the cache off (every later page then repeats the lookup at its revision).
	PageCacheEntries int
	PageCacheBytes   int64
}

// New returns a client over conn with Ward's defaults.
func New(conn grpc.ClientConnInterface, logger *slog.Logger) *Client {
	return NewWithConfig(conn, logger, Config{})
}

// NewWithConfig returns a client over conn tuned by cfg.
func NewWithConfig(conn grpc.ClientConnInterface, logger *slog.Logger, cfg Config) *Client {
	return &Client{
		perms: v1.NewPermissionsServiceClient(conn), schema: v1.NewSchemaServiceClient(conn), logger: logger,
		confirmWait: confirmWait, streamTimeout: cmp.Or(cfg.StreamTimeout, DefaultStreamTimeout),
		pages: newPageCache(cmp.Or(cfg.PageCacheEntries, DefaultPageCacheEntries), cmp.Or(cfg.PageCacheBytes, DefaultPageCacheBytes)),
	}
}

// WriteSchema writes schema text and returns the schema as SpiceDB now holds it.
// SpiceDB refuses a schema that would orphan existing relationships, so an
// upgrade never harms data.
func (c *Client) WriteSchema(ctx context.Context, text string) (string, error) {
	if _, err := c.schema.WriteSchema(ctx, &v1.WriteSchemaRequest{Schema: text}); err != nil {
		return "", c.fail(ctx, "writing the schema", nil, "", err)
	}
	return c.ReadSchema(ctx)
}

// ReadSchema returns the schema SpiceDB holds ("" when none).
func (c *Client) ReadSchema(ctx context.Context) (string, error) {
	resp, err := c.schema.ReadSchema(ctx, &v1.ReadSchemaRequest{})
	if status.Code(err) == codes.NotFound {
		return "", nil // no schema written yet
	}
	if err != nil {
		return "", c.fail(ctx, "reading the schema", nil, "", err)
	}
	return resp.GetSchemaText(), nil
}

// Apply plans events against the current state and writes the plan in one
// atomic WriteRelationships call. Each touched workspace's lock relationship is
// a precondition and is replaced by the write, so two Ward instances writing
// the same workspace cannot interleave: the loser re-reads and re-plans.
func (c *Client) Apply(ctx context.Context, events []domain.Event) (domain.Applied, error) {
	needs := domain.NeedsOf(events)
	defer c.lockWorkspaces(needs.Workspaces)()
	deadline := time.Now().Add(applyBudget)
	// The first attempt skips reading objects the events create; if one existed
	// after all, its ID marker's CREATE fails and the next attempt reads everything.
	optimistic := len(needs.Fresh) > 0
	for attempt := 1; time.Now().Before(deadline); attempt++ {
		state, token, err := c.load(ctx, needs, optimistic, "")
		if err != nil {
			return domain.Applied{}, err
		}
		plan, err := domain.PlanEvents(events, state)
		if err != nil {
			return domain.Applied{}, err
		}
		if plan.Empty() {
			return domain.Applied{Token: token}, nil
		}
		req, locks, err := writeRequest(plan, state, optimistic)
		if err != nil {
			return domain.Applied{}, err
		}
		c.writing.Lock()
		resp, err := c.perms.WriteRelationships(ctx, req)
		c.writing.Unlock()
		if err = c.fail(ctx, "writing relationships", nil, "", err); errors.Is(err, errPreconditionFailed) {
			if optimistic {
				optimistic = false
				continue
			}
			c.logger.Debug("concurrent write; re-planning", "attempt", attempt, "workspaces", plan.Workspaces)
			if err := backoff(ctx, attempt); err != nil {
				return domain.Applied{}, translateErr("writing relationships", err)
			}
			continue
		} else if err != nil {
			return domain.Applied{}, err
		}
		applied := domain.Applied{Token: resp.GetWrittenAt().GetToken(), Touched: len(plan.Touch), Deleted: len(plan.Delete)}
		if _, err := c.awaitVisible(ctx, locks); err != nil {
			// SpiceDB took the write: an error would tell the caller that
			// nothing was written, and a retry would apply the events twice.
			c.logger.Warn("events written but not confirmed: fully consistent reads did not show them", "workspaces", plan.Workspaces, "error", err)
			applied.Unconfirmed = true
		}
		return applied, nil
	}
	return domain.Applied{}, domain.Errorf(domain.CodeConflict, "workspace kept changing under concurrent writes; retry the request")
}

// importChunk is how many relationships each message of an import carries.
const importChunk = 1000

// Import loads new practices: the events are planned against an empty state
// (domain.PlanImport) and their relationships, ID markers and locks go to
// SpiceDB in one ImportBulkRelationships stream, one transaction: all or
// nothing, and faster than WriteRelationships because it inserts in bulk. Its
// workspaces must not exist yet; if one of their objects' IDs is taken (or a
// workspace appeared meanwhile, through another writer), the import fails
// whole. It is for seeding and migrating practices, not for concurrent writers
// to the same practices.
func (c *Client) Import(ctx context.Context, events []domain.Event) (domain.Applied, error) {
	planning := time.Now()
	plan, err := domain.PlanImport(events)
	if err != nil {
		return domain.Applied{}, err
	}
	c.logger.Debug("import planned", "events", len(events), "relationships", len(plan.Touch), "took", time.Since(planning).String())
	defer c.lockWorkspaces(plan.Workspaces)()
	filters := make([]*v1.RelationshipFilter, len(plan.Workspaces))
	for i, ws := range plan.Workspaces {
		filters[i] = byID(domain.TypeWorkspace, ws)
	}
	existing, _, err := c.readAll(ctx, filters, nil, "")
	if err != nil {
		return domain.Applied{}, err
	}
	if len(existing) > 0 {
		return domain.Applied{}, domain.Errorf(domain.CodeConflict, "workspace %q exists already: an import only creates new practices; send events about it to /v1/events", existing[0].Resource.ID)
	}
	rels := make([]*v1.Relationship, 0, len(plan.Touch)+len(plan.Created)+len(plan.Workspaces))
	for _, r := range plan.Touch {
		rels = append(rels, toRelationship(r))
	}
	for _, o := range plan.Created {
		rels = append(rels, toRelationship(domain.IDTaken(o)))
	}
	var locks []domain.Relationship
	for _, ws := range plan.Workspaces {
		lock := domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: ws}, "lock", domain.Object{Type: domain.TypeLock, ID: newLockID()})
		locks = append(locks, lock)
		rels = append(rels, toRelationship(lock))
	}
	streamed := time.Now()
	stream, err := c.perms.ImportBulkRelationships(ctx)
	if err != nil {
		return domain.Applied{}, c.fail(ctx, "importing relationships", nil, "", err)
	}
	for chunk := range slices.Chunk(rels, importChunk) {
		if err := stream.Send(&v1.ImportBulkRelationshipsRequest{Relationships: chunk}); err != nil {
			break // the stream's own error comes from CloseAndRecv
		}
	}
	if _, err := stream.CloseAndRecv(); err != nil {
		if status.Code(err) == codes.AlreadyExists {
			return domain.Applied{}, domain.Errorf(domain.CodeConflict, "the import names an object whose ID is taken already: nothing was imported")
		}
		if c.pastStreamDeadline(ctx, err, time.Since(streamed)) {
			return domain.Applied{}, &domain.Error{Code: domain.CodeTooLarge, Index: -1, Err: err, Message: fmt.Sprintf(
				"importing %d relationships took longer than SpiceDB lets one stream run without answering (--streaming-api-response-delay-timeout; Ward assumes %v), and SpiceDB cancelled it; "+
					"nothing was imported: split the import into smaller ones (fewer practices, or fewer staff, in each)", len(rels), c.streamTimeout)}
		}
		return domain.Applied{}, c.fail(ctx, "importing relationships", nil, "", err)
	}
	c.logger.Debug("import streamed", "relationships", len(rels), "took", time.Since(streamed).String())
	// An import answers no revision; the read that saw its locks gives
	// callers a ZedToken that includes it. Without that read there is none
	// to give.
	token, err := c.awaitVisible(ctx, locks)
	if err != nil {
		c.logger.Warn("practices imported but not confirmed: fully consistent reads did not show them", "workspaces", plan.Workspaces, "error", err)
		return domain.Applied{Touched: len(plan.Touch), Unconfirmed: true}, nil
	}
	return domain.Applied{Touched: len(plan.Touch), Token: token}, nil
}

// pastStreamDeadline reports whether SpiceDB cancelled an import, which ran
// for ran, at its streaming timeout. SpiceDB cancels a stream that has sent
// nothing for that long, and an import sends nothing until it has written
// everything, in one transaction. v1.57.1 on PostgreSQL reports that as
// DeadlineExceeded, or, when the cancellation closes its datastore connection
// first (one run in three here), as Canceled or Unknown; then only the time
// the stream ran, and a SpiceDB that still answers, tell it apart.
func (c *Client) pastStreamDeadline(ctx context.Context, err error, ran time.Duration) bool {
	if ctx.Err() != nil {
		return false // the caller went away
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		return true
	case codes.Canceled, codes.Unknown, codes.Internal:
		return ran >= c.streamTimeout && c.probe(ctx, consistency("")) == nil
	}
	return false
}

func backoff(ctx context.Context, attempt int) error {
	ceiling := min(time.Duration(1<<min(attempt, 8))*time.Millisecond, 200*time.Millisecond)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(mrand.Int64N(int64(ceiling)) + 1)):
		return nil
	}
}

// awaitVisible returns once fully consistent reads see the write's new lock
// relationships. On PostgreSQL under concurrent writes, SpiceDB v1.56.2 can
// answer a fully consistent read, just after a write was acknowledged, from a
// revision that misses it (the write's own ZedToken does see it); Ward only
// confirms events once a fully consistent read sees them, so that every
// decision reflects every confirmed event. It returns the ZedToken of the
// read that saw the last lock, or an error when reads did not show it within
// confirmWait or failed: the write happened all the same.
func (c *Client) awaitVisible(ctx context.Context, locks []domain.Relationship) (string, error) {
	deadline := time.Now().Add(c.confirmWait)
	token := ""
	for _, lock := range locks {
		for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
			found, readAt, err := c.read(ctx, "", &v1.RelationshipFilter{
				ResourceType: lock.Resource.Type, OptionalResourceId: lock.Resource.ID, OptionalRelation: lock.Relation,
				OptionalSubjectFilter: &v1.SubjectFilter{SubjectType: lock.Subject.Type, OptionalSubjectId: lock.Subject.ID},
			}, nil)
			if err != nil {
				return "", err
			}
			if len(found) > 0 {
				token = readAt
				break
			}
			if time.Now().After(deadline) {
				return "", fmt.Errorf("fully consistent reads did not show the lock %s within %v", lock, c.confirmWait)
			}
			c.logger.Debug("write not yet visible to consistent reads", "lock", lock.String())
			select {
			case <-ctx.Done():
				return "", translateErr("confirming the write", ctx.Err())
			case <-time.After(wait):
			}
		}
	}
	return token, nil
}

// writeRequest turns a plan into one WriteRelationships call guarded by each
// workspace's lock; it also returns the new locks. optimistic says the plan was
// made without reading the objects it creates.
func writeRequest(plan domain.Plan, state *domain.State, optimistic bool) (*v1.WriteRelationshipsRequest, []domain.Relationship, error) {
	req := &v1.WriteRelationshipsRequest{}
	var locks []domain.Relationship
	// On the optimistic path the ID markers' CREATEs prove every created object
	// new, so its relationships are new too: CREATE is a plain insert on
	// PostgreSQL, where TOUCH must also replace. Should one exist after all
	// (written around Ward), the CREATE fails and the next attempt reads everything.
	created := make(map[domain.Object]bool, len(plan.Created))
	if optimistic {
		for _, o := range plan.Created {
			created[o] = true
		}
	}
	for _, r := range plan.Touch {
		op := v1.RelationshipUpdate_OPERATION_TOUCH
		if created[r.Resource] || created[domain.Object{Type: r.Subject.Type, ID: r.Subject.ID}] {
			op = v1.RelationshipUpdate_OPERATION_CREATE
		}
		req.Updates = append(req.Updates, &v1.RelationshipUpdate{Operation: op, Relationship: toRelationship(r)})
	}
	for _, r := range plan.Delete {
		req.Updates = append(req.Updates, &v1.RelationshipUpdate{Operation: v1.RelationshipUpdate_OPERATION_DELETE, Relationship: toRelationship(r)})
	}
	for _, ws := range plan.Workspaces {
		wsObj := domain.Object{Type: domain.TypeWorkspace, ID: ws}
		filter := &v1.RelationshipFilter{ResourceType: domain.TypeWorkspace, OptionalResourceId: ws, OptionalRelation: "lock"}
		current := state.Of(wsObj, "lock")
		if len(current) == 0 {
			req.OptionalPreconditions = append(req.OptionalPreconditions, &v1.Precondition{Operation: v1.Precondition_OPERATION_MUST_NOT_MATCH, Filter: filter})
		}
		for _, old := range current {
			req.OptionalPreconditions = append(req.OptionalPreconditions, &v1.Precondition{
				Operation: v1.Precondition_OPERATION_MUST_MATCH,
				Filter: &v1.RelationshipFilter{ResourceType: domain.TypeWorkspace, OptionalResourceId: ws, OptionalRelation: "lock",
					OptionalSubjectFilter: &v1.SubjectFilter{SubjectType: domain.TypeLock, OptionalSubjectId: old.Subject.ID}},
			})
			req.Updates = append(req.Updates, &v1.RelationshipUpdate{Operation: v1.RelationshipUpdate_OPERATION_DELETE, Relationship: toRelationship(old)})
		}
		lock := domain.Rel(wsObj, "lock", domain.Object{Type: domain.TypeLock, ID: newLockID()})
		locks = append(locks, lock)
		req.Updates = append(req.Updates, &v1.RelationshipUpdate{Operation: v1.RelationshipUpdate_OPERATION_TOUCH, Relationship: toRelationship(lock)})
	}
	// New objects take their IDs. After reading them, a precondition per object
	// guards the write; when the reads were skipped, a CREATE of each ID's
	// ward_id marker does, in one statement instead of one query per object.
	for _, o := range plan.Created {
		op := v1.RelationshipUpdate_OPERATION_CREATE
		if !optimistic {
			op = v1.RelationshipUpdate_OPERATION_TOUCH
			req.OptionalPreconditions = append(req.OptionalPreconditions, &v1.Precondition{
				Operation: v1.Precondition_OPERATION_MUST_NOT_MATCH,
				Filter:    &v1.RelationshipFilter{ResourceType: o.Type, OptionalResourceId: o.ID, OptionalRelation: "workspace"},
			})
		}
		req.Updates = append(req.Updates, &v1.RelationshipUpdate{Operation: op, Relationship: toRelationship(domain.IDTaken(o))})
	}
	for _, o := range plan.Removed {
		req.Updates = append(req.Updates, &v1.RelationshipUpdate{Operation: v1.RelationshipUpdate_OPERATION_DELETE, Relationship: toRelationship(domain.IDTaken(o))})
	}
	if n := len(req.Updates); n > MaxUpdatesPerWrite {
		return nil, nil, domain.Errorf(domain.CodeTooLarge, "the events change %d relationships; one atomic request may change at most %d: split the request", n, MaxUpdatesPerWrite)
	}
	return req, locks, nil
}

func newLockID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// attempts bounds how often a call without effect is made when it fails for
// a reason that may pass (SpiceDB's own datastore timing out, SpiceDB
// restarting).
const attempts = 3

// again makes call, which must have no effect (a read or a check), and makes
// it again after a short wait when it failed for a reason that may pass, up
// to attempts times in all. On PostgreSQL, SpiceDB with a cold schema cache
// (just started or restarted) can fail a request with "unable to read
// namespace config: ... i/o timeout", and that should not fail Ward's request.
// It returns call's last error as SpiceDB gave it, or the caller's
// cancellation while waiting.
func (c *Client) again(ctx context.Context, call func() error) error {
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil || attempt == attempts || !mayPass(err) {
			return err
		}
		c.logger.Debug("SpiceDB call failed; trying again", "attempt", attempt, "error", err)
		// backoff's ceiling doubles from 1 ms by attempt: start it at 16 ms, as a
		// datastore that timed out needs longer than a lost write race.
		if err := backoff(ctx, attempt+3); err != nil {
			return err // the caller's own cancellation
		}
	}
}

// read streams every relationship matching filter, fully consistent (again,
// when it fails for a reason that may pass).
func (c *Client) read(ctx context.Context, at string, filter *v1.RelationshipFilter, into *domain.State) ([]domain.Relationship, string, error) {
	var rels []domain.Relationship
	var token string
	if err := c.again(ctx, func() (err error) {
		rels, token, err = c.readOnce(ctx, filter, at)
		return err
	}); err != nil {
		return nil, "", c.fail(ctx, "reading relationships", exactly(at), "", err)
	}
	if into != nil {
		for _, r := range rels {
			into.Add(r)
		}
	}
	return rels, token, nil
}

// mayPass reports whether a failed SpiceDB call may succeed if made again:
// not the caller's cancellation, and not a request SpiceDB refused as such.
func mayPass(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch status.Code(err) {
	case codes.Unknown, codes.Internal, codes.Unavailable, codes.Aborted, codes.ResourceExhausted:
		return true
	}
	return false
}

// readOnce is one ReadRelationships call, read whole; its error is SpiceDB's.
func (c *Client) readOnce(ctx context.Context, filter *v1.RelationshipFilter, at string) ([]domain.Relationship, string, error) {
	stream, err := c.perms.ReadRelationships(ctx, &v1.ReadRelationshipsRequest{Consistency: exactly(at), RelationshipFilter: filter})
	if err != nil {
		return nil, "", err
	}
	var out []domain.Relationship
	token := ""
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, token, nil
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, fromRelationship(resp.GetRelationship()))
		token = resp.GetReadAt().GetToken()
	}
}

// readAll runs the reads concurrently (at most 8 at once) and adds what they
// return to s. The token is that of the first filter's read.
func (c *Client) readAll(ctx context.Context, filters []*v1.RelationshipFilter, s *domain.State, at string) ([]domain.Relationship, string, error) {
	results := make([][]domain.Relationship, len(filters))
	tokens := make([]string, len(filters))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, f := range filters {
		g.Go(func() error {
			rels, t, err := c.read(gctx, at, f, nil)
			results[i], tokens[i] = rels, t
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, "", err
	}
	var all []domain.Relationship
	for _, rels := range results {
		for _, r := range rels {
			if s != nil {
				s.Add(r)
			}
			all = append(all, r)
		}
	}
	token := ""
	if len(tokens) > 0 {
		token = tokens[0]
	}
	return all, token, nil
}

func byID(typ, id string) *v1.RelationshipFilter {
	return &v1.RelationshipFilter{ResourceType: typ, OptionalResourceId: id}
}

// load reads what needs asks for into a new state: each practice (its own
// relationships, roles, role holders, switches and locations), each object
// named, and the links of the staff members named, each linked record whole.
// The token is that of the first read (the answer when nothing needs writing).
func (c *Client) load(ctx context.Context, needs domain.Needs, skipFresh bool, at string) (*domain.State, string, error) {
	s := domain.NewState()
	var filters []*v1.RelationshipFilter
	for _, ws := range needs.Workspaces {
		filters = append(filters,
			byID(domain.TypeWorkspace, ws),
			&v1.RelationshipFilter{ResourceType: domain.TypeRole, OptionalResourceIdPrefix: ws + "/"},
			&v1.RelationshipFilter{ResourceType: domain.TypeRoleBinding, OptionalResourceIdPrefix: ws + "/"},
			&v1.RelationshipFilter{ResourceType: domain.TypeSwitch, OptionalResourceIdPrefix: ws + "/"},
			&v1.RelationshipFilter{ResourceType: domain.TypeStaffMember, OptionalResourceIdPrefix: ws + "/"},
		)
	}
	skip := map[domain.Object]bool{}
	if skipFresh {
		for _, o := range needs.Fresh {
			skip[o] = true
		}
	}
	for _, o := range needs.Objects {
		if !skip[o] {
			filters = append(filters, byID(o.Type, o.ID))
		}
	}
	_, token, err := c.readAll(ctx, filters, s, at)
	if err != nil {
		return nil, "", err
	}
	// Then the links of the named staff members: only of those who are staff
	// of a practice read, since nobody else has links there (removing someone
	// takes theirs away).
	filters = filters[:0]
	for _, ul := range needs.Linked {
		if !slices.ContainsFunc(needs.Workspaces, func(ws string) bool {
			return s.Has(domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: ws}, "member", domain.Object{Type: domain.TypeUser, ID: ul.User}))
		}) {
			continue
		}
		for _, l := range ul.Links {
			filters = append(filters, &v1.RelationshipFilter{ResourceType: l.Type, OptionalRelation: l.Relation,
				OptionalSubjectFilter: &v1.SubjectFilter{SubjectType: domain.TypeUser, OptionalSubjectId: ul.User}})
		}
	}
	linked, _, err := c.readAll(ctx, filters, s, at)
	if err != nil {
		return nil, "", err
	}
	// Then every location of the practices, and every linked record whole (to
	// know its practice).
	more := map[domain.Object]bool{}
	for _, ws := range needs.Workspaces {
		for _, loc := range s.Subjects(domain.Object{Type: domain.TypeWorkspace, ID: ws}, "site") {
			more[loc.Object()] = true
		}
	}
	for _, r := range linked {
		more[r.Resource] = true
	}
	filters = filters[:0]
	for o := range more {
		filters = append(filters, byID(o.Type, o.ID))
	}
	if _, _, err := c.readAll(ctx, filters, s, at); err != nil {
		return nil, "", err
	}
	return s, token, nil
}

func checkRequest(q domain.Question, cons *v1.Consistency) *v1.CheckPermissionRequest {
	return &v1.CheckPermissionRequest{
		Consistency: cons,
		Resource:    toObject(q.Resource),
		Permission:  q.Permission,
		Subject:     &v1.SubjectReference{Object: toObject(q.Subject)},
	}
}

// Check answers one question, reading at least as fresh as token (or at the
// newest revision when token is "").
func (c *Client) Check(ctx context.Context, q domain.Question, token string) (domain.Decision, error) {
	cons, err := c.callerConsistency(ctx, token)
	if err != nil {
		return domain.Decision{}, err
	}
	var resp *v1.CheckPermissionResponse
	if err := c.again(ctx, func() (err error) {
		resp, err = c.perms.CheckPermission(ctx, checkRequest(q, cons))
		return err
	}); err != nil {
		return domain.Decision{}, c.fail(ctx, "checking a permission", cons, tokenField(token), err)
	}
	return domain.Decision{
		Allowed: resp.GetPermissionship() == v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION,
		Token:   resp.GetCheckedAt().GetToken(),
	}, nil
}

// CheckBulk answers many questions in one SpiceDB call, in order, and
// returns the revision SpiceDB checked them at.
func (c *Client) CheckBulk(ctx context.Context, qs []domain.Question, token string) ([]domain.BulkDecision, string, error) {
	const op = "checking permissions"
	cons, err := c.callerConsistency(ctx, token)
	if err != nil {
		return nil, "", err
	}
	req := &v1.CheckBulkPermissionsRequest{Consistency: cons}
	for _, q := range qs {
		req.Items = append(req.Items, &v1.CheckBulkPermissionsRequestItem{
			Resource: toObject(q.Resource), Permission: q.Permission, Subject: &v1.SubjectReference{Object: toObject(q.Subject)},
		})
	}
	var resp *v1.CheckBulkPermissionsResponse
	if err := c.again(ctx, func() (err error) {
		resp, err = c.perms.CheckBulkPermissions(ctx, req)
		return err
	}); err != nil {
		return nil, "", c.fail(ctx, op, cons, tokenField(token), err)
	}
	out := make([]domain.BulkDecision, len(qs))
	tokenChecked := token == ""
	for i, pair := range resp.GetPairs() {
		if i >= len(out) {
			break
		}
		if e := pair.GetError(); e != nil {
			err := status.FromProto(e).Err()
			if code := status.Code(err); !tokenChecked && (code == codes.InvalidArgument || code == codes.OutOfRange) {
				// SpiceDB v1.57.1 on memdb answers a token from the future
				// with an error in every item and that very token as the
				// revision checked at: the whole request is the token's fault.
				tokenChecked = true
				if ferr := c.fail(ctx, op, cons, fieldZedToken, err); fieldOf(ferr) == fieldZedToken {
					return nil, "", ferr
				}
			}
			out[i] = domain.BulkDecision{Err: atIndex(translateErr("checking this item", err), i)}
			c.logger.Warn("bulk check item failed", "index", i, "error", err)
			continue
		}
		out[i] = domain.BulkDecision{Allowed: pair.GetItem().GetPermissionship() == v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION}
	}
	return out, resp.GetCheckedAt().GetToken(), nil
}

// tokenField is the request field a caller's token came in, "" for none.
func tokenField(token string) string {
	if token == "" {
		return ""
	}
	return fieldZedToken
}

// fieldOf is the request field err is about, "" for none.
func fieldOf(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// atIndex places err at item i of a request.
func atIndex(err error, i int) error {
	var e *domain.Error
	if errors.As(err, &e) {
		e.Index = i
	}
	return err
}

// LookupResources lists the IDs of resourceType on which subject has
// permission, sorted and without repeats, and the revision it read. SpiceDB
// streams a resource once per path that reaches it, even across its own
// cursors, so Ward reads the whole answer and pages it itself.
func (c *Client) LookupResources(ctx context.Context, subject domain.Object, permission, resourceType, token string) ([]string, string, error) {
	cons, err := c.callerConsistency(ctx, token)
	if err != nil {
		return nil, "", err
	}
	return c.lookup(ctx, lookup{object: subject, permission: permission, resourceType: resourceType}, cons, tokenField(token))
}

// LookupSubjects lists the users who have permission on resource, sorted by
// ID, and the revision it read.
func (c *Client) LookupSubjects(ctx context.Context, resource domain.Object, permission, token string) ([]string, string, error) {
	cons, err := c.callerConsistency(ctx, token)
	if err != nil {
		return nil, "", err
	}
	return c.lookup(ctx, lookup{subjects: true, object: resource, permission: permission}, cons, tokenField(token))
}

// lookup is one lookup question: the resources of resourceType that object
// (a subject) reaches, or, with subjects, the users who reach object.
type lookup struct {
	subjects     bool
	object       domain.Object
	permission   string
	resourceType string
}

func (l lookup) op() string {
	if l.subjects {
		return "looking up subjects"
	}
	return "looking up resources"
}

// lookup answers l at cons: its IDs, sorted and without repeats, and the
// revision read ("" when nothing was found: SpiceDB then streams no answer to
// carry one). field is where cons's revision came from, for errors.
func (c *Client) lookup(ctx context.Context, l lookup, cons *v1.Consistency, field string) ([]string, string, error) {
	fail := func(err error) error { return c.fail(ctx, l.op(), cons, field, err) }
	if l.subjects {
		stream, err := c.perms.LookupSubjects(ctx, &v1.LookupSubjectsRequest{
			Consistency: cons, Resource: toObject(l.object), Permission: l.permission, SubjectObjectType: domain.TypeUser,
		})
		return collectIDs(stream, err, fail, lookedUpSubject)
	}
	stream, err := c.perms.LookupResources(ctx, lookupResourcesRequest(l.object, l.permission, l.resourceType, cons))
	return collectIDs(stream, err, fail, lookedUpResource)
}

func lookupResourcesRequest(subject domain.Object, permission, resourceType string, cons *v1.Consistency) *v1.LookupResourcesRequest {
	return &v1.LookupResourcesRequest{
		Consistency:        cons,
		ResourceObjectType: resourceType,
		Permission:         permission,
		Subject:            &v1.SubjectReference{Object: toObject(subject)},
	}
}

// lookedUpResource is one LookupResources answer's ZedToken, resource ID and
// whether it counts (a conditional result does not).
func lookedUpResource(r *v1.LookupResourcesResponse) (string, string, bool) {
	return r.GetLookedUpAt().GetToken(), r.GetResourceObjectId(), r.GetPermissionship() == v1.LookupPermissionship_LOOKUP_PERMISSIONSHIP_HAS_PERMISSION
}

// lookedUpSubject is lookedUpResource for LookupSubjects; a wildcard is not a user.
func lookedUpSubject(r *v1.LookupSubjectsResponse) (string, string, bool) {
	s := r.GetSubject()
	return r.GetLookedUpAt().GetToken(), s.GetSubjectObjectId(),
		s.GetPermissionship() == v1.LookupPermissionship_LOOKUP_PERMISSIONSHIP_HAS_PERMISSION && s.GetSubjectObjectId() != "*"
}

// StreamResources calls emit with each ID of resourceType on which subject
// has permission, as SpiceDB finds it and only the first time, and returns the
// ZedToken of the revision read. An error from emit stops the stream.
//
// It asks one unlimited LookupResources. A limited one answered its first
// page sooner, but SpiceDB v1.57.1 can hang a limited lookup for good: once
// the limit is met it cancels the branches still running, and a branch whose
// task runner starts on a cancelled context waits for a task nothing will run
// (1 of 400 limited lookups of 250 clients, four at a time, never ended here;
// docs/performance.md, step 31).
func (c *Client) StreamResources(ctx context.Context, subject domain.Object, permission, resourceType, token string, emit func(id string) error) (string, error) {
	const op = "looking up resources"
	cons, err := c.callerConsistency(ctx, token)
	if err != nil {
		return "", err
	}
	stream, err := c.perms.LookupResources(ctx, lookupResourcesRequest(subject, permission, resourceType, cons))
	return streamIDs(stream, err, func(err error) error { return c.fail(ctx, op, cons, tokenField(token), err) }, lookedUpResource, map[string]struct{}{}, emit)
}

// exactly reads at exactly the revision of token.
// exactly reads at exactly the revision of token, or at the newest revision
// when token is "".
func exactly(token string) *v1.Consistency {
	if token == "" {
		return consistency("")
	}
	return &v1.Consistency{Requirement: &v1.Consistency_AtExactSnapshot{AtExactSnapshot: &v1.ZedToken{Token: token}}}
}

// collectIDs drains a lookup stream into sorted IDs without repeats; fail
// translates SpiceDB's errors.
func collectIDs[R any](stream interface{ Recv() (R, error) }, err error, fail func(error) error, item func(R) (string, string, bool)) ([]string, string, error) {
	var ids []string
	readAt, err := streamIDs(stream, err, fail, item, map[string]struct{}{}, func(id string) error {
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	slices.Sort(ids)
	return ids, readAt, nil
}

// streamIDs passes each ID of a lookup stream not yet in seen to emit, and
// adds it: SpiceDB streams an object once per path that reaches it. item
// returns each answer's ZedToken, its ID and whether it counts; fail
// translates SpiceDB's errors (emit's pass unchanged). It returns the last
// ZedToken.
func streamIDs[R any](stream interface{ Recv() (R, error) }, err error, fail func(error) error, item func(R) (string, string, bool), seen map[string]struct{}, emit func(string) error) (string, error) {
	if err != nil {
		return "", fail(err)
	}
	readAt := ""
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return readAt, nil
		}
		if err != nil {
			return readAt, fail(err)
		}
		token, id, ok := item(resp)
		readAt = token
		if _, dup := seen[id]; !ok || dup {
			continue
		}
		seen[id] = struct{}{}
		if err := emit(id); err != nil {
			return readAt, err
		}
	}
}

// Explain answers q and says why, in the practice's terms. The decision is
// SpiceDB's; the reasons come from the practice's relationships.
func (c *Client) Explain(ctx context.Context, q domain.Question, token string) (domain.Explanation, string, error) {
	d, err := c.Check(ctx, q, token)
	if err != nil {
		return domain.Explanation{}, "", err
	}
	// The reasons are read at exactly the revision SpiceDB checked, so that a
	// write in between cannot make them tell another story than the verdict.
	s := domain.NewState()
	if _, _, err := c.read(ctx, d.Token, &v1.RelationshipFilter{ResourceType: q.Resource.Type, OptionalResourceId: q.Resource.ID}, s); err != nil {
		return domain.Explanation{}, "", err
	}
	needs := domain.Needs{Objects: domain.ExplainReads(s, q.Resource)}
	if ws := domain.ResourceWorkspace(s, q.Resource); ws != "" {
		needs.Workspaces = []string{ws}
	}
	more, _, err := c.load(ctx, needs, false, d.Token)
	if err != nil {
		return domain.Explanation{}, "", err
	}
	for _, r := range more.All() {
		s.Add(r)
	}
	ex := domain.Explain(q, s)
	if ex.Allowed != d.Allowed {
		c.logger.Warn("explanation disagrees with SpiceDB; answering SpiceDB's decision and saying so", "subject", q.Subject.String(), "permission", q.Permission, "resource", q.Resource.String(), "spicedb", d.Allowed)
		ex = domain.Unexplained(d.Allowed, ex)
	}
	return ex, d.Token, nil
}

// Export streams every relationship in SpiceDB, at the newest revision.
func (c *Client) Export(ctx context.Context, fn func(domain.Relationship) error) error {
	cons := consistency("")
	stream, err := c.perms.ExportBulkRelationships(ctx, &v1.ExportBulkRelationshipsRequest{Consistency: cons})
	if err != nil {
		return c.fail(ctx, "exporting relationships", cons, "", err)
	}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return c.fail(ctx, "exporting relationships", cons, "", err)
		}
		for _, r := range resp.GetRelationships() {
			if err := fn(fromRelationship(r)); err != nil {
				return err
			}
		}
	}
}

// Ping reports whether SpiceDB answers.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.schema.ReadSchema(ctx, &v1.ReadSchemaRequest{})
	if err == nil {
		return nil
	}
	if e := c.fail(ctx, "reaching SpiceDB", nil, "", err); domain.ErrorCode(e) == domain.CodeUnavailable {
		return e
	}
	return nil
}

// Matrix computes what every role of a workspace may do from the grants
// SpiceDB holds.
func (c *Client) Matrix(ctx context.Context, workspace string) (domain.Matrix, error) {
	state, _, err := c.load(ctx, domain.Needs{Workspaces: []string{workspace}}, false, "")
	if err != nil {
		return domain.Matrix{}, err
	}
	pr := domain.Practice{S: state, WS: workspace}
	if !pr.Exists() {
		return domain.Matrix{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "workspace", Message: fmt.Sprintf("unknown workspace %q", workspace)}
	}
	return domain.MatrixOf(pr), nil
}
