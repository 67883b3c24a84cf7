// Package service is Ward's application layer: it applies practice events
// (load what they need, plan them with the domain, write the plan through the
// store as one atomic write, re-plan when another writer won the race, wait
// until consistent reads show it) and explains decisions and roles from the
// practice as the store holds it. Checks and lookups pass straight to the
// store.
package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/retry"
)

// Store is what the service needs of the store (internal/spicedb).
type Store interface {
	// ReadAll reads every relationship each filter selects, at exactly the
	// revision of at ("" for the newest); the token is the revision read.
	ReadAll(ctx context.Context, at string, filters []domain.Filter) ([]domain.Relationship, string, error)
	// Write makes one atomic write and returns its revision; a write whose
	// preconditions failed is domain.ErrRaced.
	Write(ctx context.Context, w domain.Write) (string, error)
	// ImportRelationships writes new relationships in bulk, all or none; one
	// that exists already is domain.ErrRaced.
	ImportRelationships(ctx context.Context, rels []domain.Relationship) error
	// CheckTraced is Check with the store's own trace of how it answered.
	CheckTraced(ctx context.Context, q domain.Question, token string) (domain.Decision, domain.TraceNode, error)
	Questions
}

// Questions are what the store answers as it holds the practices: checks and
// lookups, which the service passes on unchanged.
type Questions interface {
	Check(ctx context.Context, q domain.Question, token string) (domain.Decision, error)
	CheckBulk(ctx context.Context, qs []domain.Question, token string) ([]domain.BulkDecision, string, error)
	LookupResourcesPage(ctx context.Context, subject domain.Object, permission, resourceType string, given domain.Given, token, cursor string, limit int) ([]domain.Found, string, string, error)
	LookupSubjectsPage(ctx context.Context, resource domain.Object, permission string, given domain.Given, token, cursor string, limit int) ([]domain.Found, string, string, error)
	StreamResources(ctx context.Context, subject domain.Object, permission, resourceType string, given domain.Given, token string, emit func(domain.Found) error) (string, error)
}

// Service applies events and explains; see the package comment.
type Service struct {
	Questions
	store  Store
	logger *slog.Logger
	// writers serialise this process's writes per workspace (striped by hash),
	// so one instance never races itself; the lock relationship guards across
	// instances.
	writers [64]sync.Mutex
	// confirmWait bounds how long a write waits for fully consistent reads to
	// show it before it is answered as unconfirmed.
	confirmWait time.Duration
}

// DefaultConfirmWait is how long a write waits, by default, for fully
// consistent reads to show it before it is answered as unconfirmed.
const DefaultConfirmWait = 10 * time.Second

// applyBudget bounds how long a write keeps re-planning when writers in other
// Ward instances race it on a workspace. (Writers in this process queue on a
// mutex instead.)
const applyBudget = 30 * time.Second

// New returns a service over store.
func New(store Store, logger *slog.Logger) *Service {
	return &Service{Questions: store, store: store, logger: logger, confirmWait: DefaultConfirmWait}
}

// WithConfirmWait returns s waiting at most wait for a write to show.
func (s *Service) WithConfirmWait(wait time.Duration) *Service {
	s.confirmWait = wait
	return s
}

// lockWorkspaces takes this process's write locks of workspaces, in a fixed
// order so that requests naming several workspaces cannot deadlock.
func (s *Service) lockWorkspaces(workspaces []string) (unlock func()) {
	var stripes []int
	for _, ws := range workspaces {
		h := fnv.New32a()
		_, _ = h.Write([]byte(ws))
		stripes = append(stripes, int(h.Sum32()%uint32(len(s.writers))))
	}
	slices.Sort(stripes)
	stripes = slices.Compact(stripes)
	for _, i := range stripes {
		s.writers[i].Lock()
	}
	return func() {
		for _, i := range stripes {
			s.writers[i].Unlock()
		}
	}
}

func newLockID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Apply plans events against the current state and writes the plan in one
// atomic write. Each touched workspace's lock relationship is a precondition
// and is replaced by the write, so two Ward instances writing the same
// workspace cannot interleave: the loser re-reads and re-plans.
func (s *Service) Apply(ctx context.Context, events []domain.Event) (domain.Applied, error) {
	actors, err := domain.ActorChecks(events)
	if err != nil {
		return domain.Applied{}, err
	}
	// A decision on a request for access names the request, not its
	// requester, whose access approving it rewrites: read who that is.
	if filters := domain.ResolveNeeds(events); len(filters) > 0 {
		rels, _, err := s.store.ReadAll(ctx, "", filters)
		if err != nil {
			return domain.Applied{}, err
		}
		if events, err = domain.ResolveEvents(events, domain.NewState(rels...)); err != nil {
			return domain.Applied{}, err
		}
	}
	needs := domain.NeedsOf(events)
	resolving := domain.ReviewsToResolve(events)
	defer s.lockWorkspaces(needs.Workspaces)()
	deadline := time.Now().Add(applyBudget)
	// The first attempt skips reading objects the events create; if one existed
	// after all, its ID marker's CREATE fails and the next attempt reads everything.
	optimistic := len(needs.Fresh) > 0
	for attempt := 1; time.Now().Before(deadline); attempt++ {
		state, token, err := s.loadToWrite(ctx, needs, optimistic)
		if err != nil {
			return domain.Applied{}, err
		}
		// A review revoking every standing grant names them, as this state
		// holds them: the actor is asked about each, and the ledger
		// records them. Whether the actor may review at all is asked
		// before a refusal says how many they are.
		planned, checks := events, actors
		if resolving {
			resolved, rerr := domain.ResolveReviews(events, func(ws, person string) ([]domain.Grant, error) {
				return domain.Practice{S: state, WS: ws}.StandingGrants(person, time.Now()), nil
			})
			if rerr != nil {
				if err := s.askActors(ctx, actors, token); err != nil {
					return domain.Applied{}, err
				}
				return domain.Applied{}, rerr
			}
			if checks, err = domain.ActorChecks(resolved); err != nil {
				return domain.Applied{}, err
			}
			planned = resolved
		}
		// Bad input is answered first; then whether the actor may; only then
		// what the practice's state refuses, which could tell someone who
		// may not act about records they may not see.
		plan, err := domain.PlanEvents(planned, state)
		var refused *domain.Error
		if errors.As(err, &refused) && refused.Code != domain.CodeConflict {
			return domain.Applied{}, err
		}
		if err := s.askActors(ctx, checks, token); err != nil {
			return domain.Applied{}, err
		}
		if err != nil {
			return domain.Applied{}, err
		}
		if plan.Empty() {
			return domain.Applied{Token: token, Events: planned}, nil
		}
		write, locks := domain.WriteOf(plan, state, optimistic, newLockID)
		written, err := s.store.Write(ctx, write)
		if errors.Is(err, domain.ErrRaced) {
			if optimistic {
				optimistic = false
				continue
			}
			s.logger.Debug("concurrent write; re-planning", "attempt", attempt, "workspaces", plan.Workspaces)
			if err := retry.Wait(ctx, attempt); err != nil {
				return domain.Applied{}, domain.Cancelled("writing relationships", err)
			}
			continue
		} else if err != nil {
			return domain.Applied{}, err
		}
		applied := domain.Applied{Token: written, Touched: len(plan.Touch), Deleted: len(plan.Delete), Notices: plan.Notices}
		if resolving {
			applied.Events = planned
		}
		if _, err := s.awaitVisible(ctx, locks); err != nil {
			// The store took the write: an error would tell the caller that
			// nothing was written, and a retry would apply the events twice.
			s.logger.Warn("events written but not confirmed: fully consistent reads did not show them", "workspaces", plan.Workspaces, "error", err)
			applied.Unconfirmed = true
		}
		return applied, nil
	}
	return domain.Applied{}, domain.Errorf(domain.CodeConflict, "workspace kept changing under concurrent writes; retry the request")
}

// askActors asks the schema whether the request's actor may do what the
// events need of them (domain.ActorChecks), at least as fresh as the
// practice was read: the write's lock precondition fails if anything
// changed since, so the answer holds for the write. An actor refused is a
// conflict naming the event.
func (s *Service) askActors(ctx context.Context, checks []domain.ActorCheck, token string) error {
	if len(checks) == 0 {
		return nil
	}
	qs := make([]domain.Question, len(checks))
	for i, c := range checks {
		qs[i] = c.Question
	}
	// One call for the request's questions (at most MaxEventsPerRequest, which
	// a bulk check takes).
	ds, _, err := s.store.CheckBulk(ctx, qs, token)
	if err != nil {
		return err
	}
	for i, c := range checks {
		d := ds[i]
		if d.Err != nil {
			return d.Err
		}
		if !d.Allowed {
			msg := c.Refused
			if d.Conditional {
				msg += fmt.Sprintf("; here their permission depends on context an event cannot give (%s: a role's networks): such a holding does not take this step", strings.Join(d.Missing, ", "))
			}
			return &domain.Error{Code: domain.CodeConflict, Index: c.Index, Field: "actor", Message: msg}
		}
	}
	return nil
}

// practiceOf reads what filters select of practice ws, with its preset in
// the same read: an unknown practice is an error, not an empty answer.
func practiceOf(ctx context.Context, store Store, ws string, filters ...domain.Filter) (*domain.State, error) {
	rels, _, err := store.ReadAll(ctx, "", append(filters, domain.PresetFilter(ws)))
	if err != nil {
		return nil, err
	}
	state := domain.NewState(rels...)
	if !(domain.Practice{S: state, WS: ws}).Exists() {
		return nil, unknownWorkspace(ws)
	}
	return state, nil
}

// unknownWorkspace is the error of a read about a practice that does not
// exist: an empty answer would let a mistyped ID pass for a quiet practice.
func unknownWorkspace(ws string) error {
	return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "workspace", Message: fmt.Sprintf("unknown workspace %q: create it with workspace.created first, or check its ID", ws)}
}

// BreakGlass lists one page of practice ws's emergency openings that q
// asks for, oldest first, and the next page's cursor.
func (s *Service) BreakGlass(ctx context.Context, ws string, q domain.BreakGlassQuery) ([]domain.BreakGlass, string, error) {
	if err := q.Check(); err != nil {
		return nil, "", err
	}
	state, err := practiceOf(ctx, s.store, ws, domain.BreakGlassFilter(ws))
	if err != nil {
		return nil, "", err
	}
	return domain.BreakGlassPage(domain.BreakGlassesOf(state, ws), q, time.Now())
}

// Consume answers q as a check that may use up a one-time grant: allowed
// outright by what the subject holds, it uses nothing; otherwise each of
// the subject's unused one-time grants (at most domain.MaxOnceGrants) is
// asked in turn whether it allows q, and the first that does is used up by
// an access.consumed event, in the subject's name. Two checks racing for
// one grant: the second's event is refused, and it answers as if the grant
// were gone. The events applied are returned for the audit ledger.
func (s *Service) Consume(ctx context.Context, q domain.Question, token string) (domain.Decision, domain.Consumed, error) {
	d, err := s.Check(ctx, q, token)
	// What they hold anyway, or would with the context asked for, uses
	// nothing.
	if err != nil || d.Allowed || d.Conditional || q.Subject.Type != domain.TypeUser {
		return d, domain.Consumed{}, err
	}
	rels, _, err := s.store.ReadAll(ctx, "", []domain.Filter{domain.UnusedGrantsOf(q.Subject.ID)})
	if err != nil {
		return d, domain.Consumed{}, err
	}
	slices.SortFunc(rels, func(a, b domain.Relationship) int { return strings.Compare(a.Resource.ID, b.Resource.ID) })
	rels = rels[:min(len(rels), domain.MaxOnceGrants)]
	// Every grant is asked at once, each as the question made with it.
	qs := make([]domain.Question, len(rels))
	for i, r := range rels {
		qs[i] = q
		qs[i].Consume = r.Resource.ID
	}
	ods, _, err := s.CheckBulk(ctx, qs, token)
	if err != nil {
		return d, domain.Consumed{}, err
	}
	for i, r := range rels {
		od := ods[i]
		if od.Err != nil {
			return d, domain.Consumed{}, od.Err
		}
		if !od.Allowed {
			if od.Conditional && !d.Conditional {
				// It would with more context: say which, as a check does.
				d.Conditional, d.Missing = true, od.Missing
			}
			continue
		}
		ws, id, _ := strings.Cut(r.Resource.ID, "/")
		events := []domain.Event{{Type: "access.consumed", Workspace: ws, Request: id, Actor: q.Subject.String(), Received: time.Now()}}
		applied, err := s.Apply(ctx, events)
		var refused *domain.Error
		if errors.As(err, &refused) && refused.Code == domain.CodeConflict {
			continue // another check used it first
		}
		used := domain.Consumed{Request: r.Resource.String(), Events: events, Applied: applied}
		if err != nil {
			return d, used, err
		}
		return domain.Decision{Allowed: true, Token: applied.Token, At: d.At}, used, nil
	}
	return d, domain.Consumed{}, nil
}

// Delegations lists one page of practice ws's delegations that q asks for,
// oldest first, each in its state now, and the next page's cursor.
func (s *Service) Delegations(ctx context.Context, ws string, q domain.DelegationQuery) ([]domain.Delegation, string, error) {
	if err := q.Check(); err != nil {
		return nil, "", err
	}
	state, err := practiceOf(ctx, s.store, ws, domain.DelegationFilter(ws))
	if err != nil {
		return nil, "", err
	}
	return domain.DelegationPage(domain.DelegationsOf(state, ws), q, time.Now())
}

// reviewChecks is how many people's review_access one bulk check asks.
const reviewChecks = 500

// AccessReview lists one page of practice ws's access review that q asks
// for: each person's standing grants with who granted them and when, their
// last review, and whether one is due; with q.Actor, only the people whose
// access the actor may review (the schema answers: staff_member or
// service_account #review_access), asked of the candidates in order until
// the page is full.
func (s *Service) AccessReview(ctx context.Context, ws string, q domain.AccessReviewQuery) ([]domain.AccessReview, string, error) {
	if err := q.Check(); err != nil {
		return nil, "", err
	}
	if q.Limit < 1 {
		q.Limit = 100
	}
	rels, token, err := s.store.ReadAll(ctx, "", domain.AccessReviewFilters(ws))
	if err != nil {
		return nil, "", err
	}
	pr := domain.Practice{S: domain.NewState(rels...), WS: ws}
	if !pr.Exists() {
		return nil, "", unknownWorkspace(ws)
	}
	members := pr.Members()
	candidates, _ := domain.AccessReviewPage(members, domain.AccessReviewQuery{User: q.User, Cursor: q.Cursor, Limit: len(members) + 1}, func(person string) bool {
		return !q.Due || pr.ReviewDue(person)
	})
	// The page's people are read reviewReads at a time, until it holds
	// q.Limit people or as many grants as a page lists.
	now := time.Now()
	var out []domain.AccessReview
	var batch []string
	read := func() (open bool, err error) {
		if len(batch) == 0 {
			return true, nil
		}
		state, err := s.reviewState(ctx, ws, batch, pr.S, token)
		if err != nil {
			return false, err
		}
		var cut bool
		out, cut = domain.FitReviewPage(slices.Concat(out, domain.Practice{S: state, WS: ws}.ReviewsOf(batch, now)))
		batch = batch[:0]
		return !cut, nil
	}
	more := false
	for person, err := range s.reviewable(ctx, ws, candidates, q.Actor, token) {
		if err != nil {
			return nil, "", err
		}
		if len(out)+len(batch) == q.Limit {
			if _, err := read(); err != nil {
				return nil, "", err
			}
			more = true // person, at least, is left for the next page
			break
		}
		batch = append(batch, person)
		if len(batch) == reviewReads {
			open, err := read()
			if err != nil {
				return nil, "", err
			}
			if !open {
				more = true
				break
			}
		}
	}
	if !more {
		open, err := read()
		if err != nil {
			return nil, "", err
		}
		more = !open
	}
	cursor := ""
	if more {
		cursor = out[len(out)-1].User
	}
	return out, cursor, nil
}

// reviewReads is how many people's shares and notes access an access
// review reads at once.
const reviewReads = 50

// reviewable yields those of candidates (in order) whose access actor
// ("user:ID"; "" for anyone) may review, asked of SpiceDB at token
// reviewChecks people at a time; it stops at the first error.
func (s *Service) reviewable(ctx context.Context, ws string, candidates []string, actor, token string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for chunk := range slices.Chunk(candidates, reviewChecks) {
			if actor != "" {
				id := strings.TrimPrefix(actor, domain.TypeUser+":")
				qs := make([]domain.Question, len(chunk))
				for i, person := range chunk {
					qs[i] = domain.ReviewQuestion(ws, person, id)
				}
				ds, _, err := s.CheckBulk(ctx, qs, token)
				if err != nil {
					yield("", err)
					return
				}
				kept := chunk[:0:0]
				for i, d := range ds {
					if d.Err != nil {
						yield("", d.Err)
						return
					}
					if d.Allowed {
						kept = append(kept, chunk[i])
					}
				}
				chunk = kept
			}
			for _, person := range chunk {
				if !yield(person, nil) {
					return
				}
			}
		}
	}
}

// reviewState reads what practice ws's access review of people needs: the
// practice's holdings, switches, delegations, openings, keys and review
// records (unless state holds them already, read at token), and those
// people's shares and notes access in the practice.
func (s *Service) reviewState(ctx context.Context, ws string, people []string, state *domain.State, token string) (*domain.State, error) {
	if state == nil {
		rels, at, err := s.store.ReadAll(ctx, "", domain.AccessReviewFilters(ws))
		if err != nil {
			return nil, err
		}
		state, token = domain.NewState(rels...), at
	}
	var filters []domain.Filter
	for _, person := range people {
		if !domain.IsServiceAccount(person) {
			filters = append(filters, domain.ClientGrantFilters(person)...)
		}
	}
	if len(filters) == 0 {
		return state, nil
	}
	linked, _, err := s.store.ReadAll(ctx, token, filters)
	if err != nil || len(linked) == 0 {
		return state, err
	}
	// Which of the clients are the practice's: one read of each, or, for
	// many, of the practice's clients.
	var owned []domain.Filter
	if len(linked) <= reviewClientReads {
		for _, r := range linked {
			owned = append(owned, domain.Filter{ResourceType: r.Resource.Type, ResourceID: r.Resource.ID, Relation: "workspace"})
		}
	} else {
		owned = []domain.Filter{domain.ClientsOf(ws)}
	}
	workspaces, _, err := s.store.ReadAll(ctx, token, owned)
	if err != nil {
		return nil, err
	}
	for _, r := range slices.Concat(linked, workspaces) {
		state.Add(r)
	}
	return state, nil
}

// reviewClientReads is how many shared clients a review reads one by one;
// past it, it reads which clients the practice has, in one read.
const reviewClientReads = 64

// DueReviews finds, in every practice with a review policy, the people
// whose review fell due and who were not told yet, and marks them told, in
// a write guarded by the practice's lock (as events are): of several Ward
// instances sweeping at once, one tells each. A practice that changed
// meanwhile is left for the next sweep.
func (s *Service) DueReviews(ctx context.Context) ([]domain.DueReview, error) {
	policies, _, err := s.store.ReadAll(ctx, "", []domain.Filter{domain.ReviewPolicies()})
	if err != nil {
		return nil, err
	}
	var out []domain.DueReview
	for _, p := range policies {
		if domain.ReviewPolicyDays(p) == 0 {
			continue
		}
		ws := p.Resource.ID
		locks, at, err := lockedAt(ctx, s.store, ws)
		if err != nil {
			return out, err
		}
		rels, _, err := s.store.ReadAll(ctx, at, domain.ReviewSweepFilters(ws))
		if err != nil {
			return out, err
		}
		due, told := domain.DueReviewsOf(domain.NewState(rels...), ws, domain.MaxToldPerSweep)
		if len(told) == 0 {
			continue
		}
		g := guardOf(ws, locks)
		w := domain.Write{Updates: g.updates, Preconditions: g.preconditions}
		for _, r := range told {
			w.Updates = append(w.Updates, domain.Update{Op: domain.Touch, Rel: r})
			// Reviewed since it was read (its separate reads are not one
			// snapshot): not due after all, and told next time it is.
			w.Preconditions = append(w.Preconditions, domain.Precondition{Filter: domain.Exactly(domain.CurrentOf(ws, r))})
		}
		if _, err := s.store.Write(ctx, w); errors.Is(err, domain.ErrRaced) {
			continue // changed meanwhile: the next sweep reads it again
		} else if err != nil {
			return out, err
		}
		out = append(out, due)
	}
	return out, nil
}

// AccessRequests lists one page of practice ws's requests for access that
// q asks for, oldest first, and the next page's cursor.
func (s *Service) AccessRequests(ctx context.Context, ws string, q domain.AccessRequestQuery) ([]domain.AccessRequest, string, error) {
	if err := q.Check(); err != nil {
		return nil, "", err
	}
	state, err := practiceOf(ctx, s.store, ws, domain.AccessRequestFilter(ws))
	if err != nil {
		return nil, "", err
	}
	return domain.AccessRequestPage(domain.AccessRequestsOf(state, ws), q, time.Now())
}

// Import loads new practices: the events are planned against an empty state
// (domain.PlanImport) and their relationships, ID markers and locks go to the
// store in one bulk import, one transaction: all or nothing. Its workspaces
// must not exist yet; if one of their objects' IDs is taken (or a workspace
// appeared meanwhile, through another writer), the import fails whole. It is
// for seeding and migrating practices, not for concurrent writers to the
// same practices.
func (s *Service) Import(ctx context.Context, events []domain.Event) (domain.Applied, error) {
	planning := time.Now()
	plan, err := domain.PlanImport(events)
	if err != nil {
		return domain.Applied{}, err
	}
	s.logger.Debug("import planned", "events", len(events), "relationships", len(plan.Touch), "took", time.Since(planning).String())
	defer s.lockWorkspaces(plan.Workspaces)()
	filters := make([]domain.Filter, len(plan.Workspaces))
	for i, ws := range plan.Workspaces {
		filters[i] = domain.ByID(domain.Object{Type: domain.TypeWorkspace, ID: ws})
	}
	existing, _, err := s.store.ReadAll(ctx, "", filters)
	if err != nil {
		return domain.Applied{}, err
	}
	if len(existing) > 0 {
		return domain.Applied{}, domain.Errorf(domain.CodeConflict, "workspace %q exists already: an import only creates new practices; send events about it to /v1/events", existing[0].Resource.ID)
	}
	rels := make([]domain.Relationship, 0, len(plan.Touch)+len(plan.Created)+len(plan.Workspaces))
	rels = append(rels, plan.Touch...)
	for _, o := range plan.Created {
		rels = append(rels, domain.IDTaken(o))
	}
	var locks []domain.Relationship
	for _, ws := range plan.Workspaces {
		lock := domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: ws}, "lock", domain.Object{Type: domain.TypeLock, ID: newLockID()})
		locks = append(locks, lock)
		rels = append(rels, lock)
	}
	streamed := time.Now()
	if err := s.store.ImportRelationships(ctx, rels); errors.Is(err, domain.ErrRaced) {
		if o, ok := s.takenOf(ctx, plan.Created); ok {
			return domain.Applied{}, domain.Errorf(domain.CodeConflict, "the import creates %s %q, whose ID is taken already (by another practice's, or an earlier, %s): nothing was imported; give it another ID", o.Type, o.ID, o.Type)
		}
		return domain.Applied{}, domain.Errorf(domain.CodeConflict, "the import names an object whose ID is taken already: nothing was imported")
	} else if err != nil {
		return domain.Applied{}, err
	}
	s.logger.Debug("import streamed", "relationships", len(rels), "took", time.Since(streamed).String())
	// An import answers no revision; the read that saw its locks gives
	// callers a ZedToken that includes it. Without that read there is none
	// to give.
	token, err := s.awaitVisible(ctx, locks)
	if err != nil {
		s.logger.Warn("practices imported but not confirmed: fully consistent reads did not show them", "workspaces", plan.Workspaces, "error", err)
		return domain.Applied{Touched: len(plan.Touch), Unconfirmed: true}, nil
	}
	return domain.Applied{Touched: len(plan.Touch), Token: token}, nil
}

// takenLook and takenObjects bound the search for a refused import's taken
// ID: an error path is not a way to make Ward read without end.
const (
	takenLook    = 5 * time.Second
	takenObjects = 20_000
)

// repairChunk is how many relationships one of Repair's unguarded deletes
// takes: SpiceDB's default limit of updates in one write, which every
// datastore and an external SpiceDB take.
const repairChunk = 1000

// Repair deletes what earlier versions of Ward wrote and this one would not
// (domain.Outdated), adds the guards of built-in roles that practices made
// before roles were guarded lack (domain.GuardRepairs: no event removes
// them, so they are written unguarded too), sets right what earlier versions
// left wrong in templates' choices of roles (domain.ViewerRepairs), and brings
// built-in roles that no event can change up to the catalogue
// (domain.CatalogueRepair: a fixed role's field groups, switched
// permissions' insurance), and sets the marks the schema reads that earlier
// versions did not write (domain.MarkRepair: the account owner's staff
// member, who sees every template's forms), so that stored practices answer as new ones do;
// it returns how many relationships it deleted or wrote.
// `ward serve` runs it at start, while other instances may be serving: what
// nothing current writes is deleted as it is found, but template choices,
// which events change, are set right practice by practice, read again and
// written under the practice's lock as events are.
func (s *Service) Repair(ctx context.Context) (int, error) {
	// One read of everything the repairs below look at, across practices.
	var filters []domain.Filter
	for _, f := range slices.Concat([]domain.Filter{domain.HolderManagers}, domain.TemplateChoices, domain.GuardFilters, domain.CatalogueFilters(), domain.MarkFilters) {
		if !slices.Contains(filters, f) {
			filters = append(filters, f)
		}
	}
	rels, _, err := s.store.ReadAll(ctx, "", filters)
	if err != nil {
		return 0, err
	}
	stored := domain.NewState(rels...)
	done, err := s.writeUnguarded(ctx, domain.Delete, domain.Outdated(rels))
	if err != nil {
		return done, err
	}
	n, err := s.writeUnguarded(ctx, domain.Touch, domain.GuardRepairs(stored))
	if done += n; err != nil {
		return done, err
	}
	viewers := func(state *domain.State, ws string) (domain.Plan, error) {
		missing, orphaned := domain.ViewerRepairs(state, ws)
		return domain.Plan{Touch: missing, Delete: orphaned, Workspaces: []string{ws}}, nil
	}
	for _, ws := range domain.ViewerRepairWorkspaces(stored) {
		n, err := s.repairWorkspace(ctx, ws, "template choices", viewers)
		done += n
		if err != nil {
			return done, fmt.Errorf("workspace %s: %w", ws, err)
		}
	}
	for _, ws := range domain.MarksBehind(stored) {
		n, err := s.repairWorkspace(ctx, ws, "account owner's mark", domain.MarkRepair)
		done += n
		if err != nil {
			return done, fmt.Errorf("workspace %s: %w", ws, err)
		}
	}
	for _, ws := range domain.CatalogueBehind(stored) {
		n, err := s.repairWorkspace(ctx, ws, "built-in roles", domain.CatalogueRepair)
		done += n
		var e *domain.Error
		if errors.As(err, &e) && e.Code == domain.CodeTooLarge {
			// A practice too large to bring up in one write keeps serving as
			// it was; the rest start as they should.
			s.logger.Warn("a practice's built-in roles could not be brought up to the catalogue in one write: they answer as before this version",
				"workspace", ws, "error", err)
			continue
		}
		if err != nil {
			return done, fmt.Errorf("workspace %s: %w", ws, err)
		}
	}
	return done, nil
}

// writeUnguarded writes op of each of rels, repairChunk at a time with no
// lock (what no event writes or removes), and returns how many it wrote.
func (s *Service) writeUnguarded(ctx context.Context, op domain.Op, rels []domain.Relationship) (int, error) {
	done := 0
	for chunk := range slices.Chunk(rels, repairChunk) {
		w := domain.Write{}
		for _, r := range chunk {
			w.Updates = append(w.Updates, domain.Update{Op: op, Rel: r})
		}
		if _, err := s.store.Write(ctx, w); err != nil {
			return done, err
		}
		done += len(chunk)
	}
	return done, nil
}

// repairWorkspace writes what plan makes of practice ws, read again whole, in
// one write guarded and replaced by its lock, re-read and re-planned when
// another writer changed it first; what names what is repaired, for errors.
func (s *Service) repairWorkspace(ctx context.Context, ws, what string, plan func(*domain.State, string) (domain.Plan, error)) (int, error) {
	needs := domain.Needs{Workspaces: []string{ws}, Templates: true}
	defer s.lockWorkspaces(needs.Workspaces)()
	deadline := time.Now().Add(applyBudget)
	for attempt := 1; time.Now().Before(deadline); attempt++ {
		state, _, err := s.loadToWrite(ctx, needs, false)
		if err != nil {
			return 0, err
		}
		p, err := plan(state, ws)
		if err != nil {
			return 0, err
		}
		if p.Empty() {
			return 0, nil
		}
		write, _ := domain.WriteOf(p, state, false, newLockID)
		if _, err := s.store.Write(ctx, write); errors.Is(err, domain.ErrRaced) {
			if err := retry.Wait(ctx, attempt); err != nil {
				return 0, domain.Cancelled("repairing "+what, err)
			}
			continue
		} else if err != nil {
			return 0, err
		}
		return len(p.Touch) + len(p.Delete), nil
	}
	return 0, domain.Errorf(domain.CodeConflict, "workspace kept changing under concurrent writes while its %s were repaired; restart to try again", what)
}

// OwnersWithoutOwnerRole reads which stored practices have an account owner
// who does not hold the owner role their preset requires
// (domain.OwnersWithoutOwnerRole); `ward serve` warns of them at start.
func (s *Service) OwnersWithoutOwnerRole(ctx context.Context) ([]string, error) {
	rels, _, err := s.store.ReadAll(ctx, "", domain.OwnerRoles)
	if err != nil {
		return nil, err
	}
	return domain.OwnersWithoutOwnerRole(rels), nil
}

// InactiveAccess reads every workspace's and location's relationships and
// returns the written-out access among them that names someone who is not an
// enabled member of its practice (domain.InactiveAccess): none, unless a
// planner bug or a write from outside Ward put it there. It reads the whole
// store's workspaces and locations, so it is for tests and audits, not for
// every request.
func (s *Service) InactiveAccess(ctx context.Context) ([]domain.Relationship, error) {
	rels, _, err := s.store.ReadAll(ctx, "", []domain.Filter{{ResourceType: domain.TypeWorkspace}, {ResourceType: domain.TypeLocation}})
	if err != nil {
		return nil, err
	}
	return domain.InactiveAccess(rels), nil
}

// takenOf finds, for a refused import's error, one of objs whose ID
// marker exists, reading markers a chunk at a time, for at most takenLook
// and the first takenObjects; ok is false when none was found (the conflict
// may have been another relationship, such as a practice another instance
// created meanwhile).
func (s *Service) takenOf(ctx context.Context, objs []domain.Object) (domain.Object, bool) {
	const chunk = 256
	ctx, cancel := context.WithTimeout(ctx, takenLook)
	defer cancel()
	objs = objs[:min(len(objs), takenObjects)]
	for start := 0; start < len(objs) && ctx.Err() == nil; start += chunk {
		part := objs[start:min(start+chunk, len(objs))]
		filters := make([]domain.Filter, len(part))
		for i, o := range part {
			filters[i] = domain.Exactly(domain.IDTaken(o))
		}
		// One exact filter a marker: every relationship found is a taken ID.
		found, _, err := s.store.ReadAll(ctx, "", filters)
		if err != nil {
			return domain.Object{}, false
		}
		if len(found) > 0 {
			return domain.Object{Type: found[0].Subject.Type, ID: found[0].Subject.ID}, true
		}
	}
	return domain.Object{}, false
}

// awaitVisible returns once fully consistent reads see the write's new lock
// relationships. SpiceDB can answer a fully consistent read, just after a
// write, from a revision that misses it (it shares one newest-revision query
// among concurrent requests: spicedb/fresh.go); Ward only confirms events
// once a fully consistent read sees them, so that every decision reflects
// every confirmed event. It returns the ZedToken of the read that saw the
// locks, or an error when reads did not show them within confirmWait or
// failed: the write happened all the same.
func (s *Service) awaitVisible(ctx context.Context, locks []domain.Relationship) (string, error) {
	if len(locks) == 0 {
		return "", nil
	}
	deadline := time.Now().Add(s.confirmWait)
	filters := make([]domain.Filter, len(locks))
	for i, lock := range locks {
		filters[i] = domain.Exactly(lock)
	}
	// One write replaced every lock, so they show together: one read of all.
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		found, readAt, err := s.store.ReadAll(ctx, "", filters)
		if err != nil {
			return "", err
		}
		if len(found) == len(locks) {
			return readAt, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("fully consistent reads did not show the locks %v within %v", locks, s.confirmWait)
		}
		s.logger.Debug("write not yet visible to consistent reads", "locks", len(locks), "shown", len(found))
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
	}
}

// load reads what needs asks for into a new state, at exactly the revision of
// at ("" for the newest), in the rounds domain.Needs gives: the practices and
// objects named, the links of the staff named, and the records they link to.
// The token is that of the first read (the answer when nothing needs
// writing).
func (s *Service) load(ctx context.Context, needs domain.Needs, skipFresh bool, at string) (*domain.State, string, error) {
	state := domain.NewState()
	read := func(filters []domain.Filter) ([]domain.Relationship, string, error) {
		rels, token, err := s.store.ReadAll(ctx, at, filters)
		for _, r := range rels {
			state.Add(r)
		}
		return rels, token, err
	}
	token := ""
	needs, err := needs.ReadFirst(state, skipFresh, func(filters []domain.Filter) error {
		_, t, err := read(filters)
		if token == "" {
			token = t
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	linked, _, err := read(needs.Links(state))
	if err != nil {
		return nil, "", err
	}
	if _, _, err := read(needs.Records(state, linked)); err != nil {
		return nil, "", err
	}
	return state, token, nil
}

// loadToWrite is load for a write that the locks of needs' practices guard
// (domain.WriteOf): everything is read at exactly the revision at which
// their locks were read first. The reads are many calls, and each at
// SpiceDB's newest would not be one snapshot (nor, across SpiceDB nodes,
// even in order): a lock read among them could be one another instance
// wrote after some of them were read, with changes they missed, and the
// write, holding that lock, would write back what was revoked meanwhile.
// At one revision, a write to these practices after it has replaced their
// locks, so this write fails and is planned again. When none of them has a
// lock yet, the write requires that none has one, and the reads are at the
// newest.
func (s *Service) loadToWrite(ctx context.Context, needs domain.Needs, skipFresh bool) (*domain.State, string, error) {
	_, at, err := lockedAt(ctx, s.store, needs.Workspaces...)
	if err != nil {
		return nil, "", err
	}
	return s.load(ctx, needs, skipFresh, at)
}

// lockedAt reads the write locks of practices ws and the revision it read
// them at ("" when none has one), at which a write holding them reads what
// it decides on (loadToWrite says why).
func lockedAt(ctx context.Context, store Store, ws ...string) ([]domain.Relationship, string, error) {
	filters := make([]domain.Filter, len(ws))
	for i, w := range ws {
		filters[i] = domain.LockFilter(w)
	}
	return store.ReadAll(ctx, "", filters)
}

// Explain answers q and says why, in the practice's terms. The decision is
// the store's, and so is the trace: the relations SpiceDB looked up to make
// it, in the same call. The reasons come from the practice's relationships,
// read at exactly the revision the store checked, so that a write in
// between cannot make them tell another story than the verdict.
func (s *Service) Explain(ctx context.Context, q domain.Question, token string) (domain.Explanation, string, error) {
	d, trace, err := s.store.CheckTraced(ctx, q, token)
	if err != nil {
		return domain.Explanation{}, "", err
	}
	own, _, err := s.store.ReadAll(ctx, d.Token, []domain.Filter{domain.ByID(q.Resource)})
	if err != nil {
		return domain.Explanation{}, "", err
	}
	state := domain.NewState(own...)
	more, _, err := s.load(ctx, domain.ExplainNeeds(state, q), false, d.Token)
	if err != nil {
		return domain.Explanation{}, "", err
	}
	for _, r := range more.All() {
		state.Add(r)
	}
	if filters := domain.EmergencyFilters(state, q); len(filters) > 0 {
		openings, _, err := s.store.ReadAll(ctx, d.Token, filters)
		if err != nil {
			return domain.Explanation{}, "", err
		}
		for _, r := range openings {
			state.Add(r)
		}
	}
	ex, agrees := domain.Conditioned(d.Allowed, d.Missing, domain.ExplainAt(q, state, d.At, trace))
	if !agrees {
		s.logger.Warn("explanation disagrees with SpiceDB; answering SpiceDB's decision and saying so", "subject", q.Subject.String(), "permission", q.Permission, "resource", q.Resource.String(), "spicedb", d.Allowed)
		ex = domain.Unexplained(d.Allowed, ex)
	}
	return ex, d.Token, nil
}

// Matrix computes what every role of a workspace may do from the grants the
// store holds.
func (s *Service) Matrix(ctx context.Context, workspace string) (domain.Matrix, error) {
	state, _, err := s.load(ctx, domain.MatrixNeeds(workspace), false, "")
	if err != nil {
		return domain.Matrix{}, err
	}
	pr := domain.Practice{S: state, WS: workspace}
	if !pr.Exists() {
		return domain.Matrix{}, unknownWorkspace(workspace)
	}
	return domain.MatrixOf(pr), nil
}
