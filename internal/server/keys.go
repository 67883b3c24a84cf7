package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/apikeys"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/service"
)

// DefaultKeyRate is each key's default limit, authentications per minute
// per Ward instance (--api-key-rate).
const DefaultKeyRate = 600

// usageFlush is how often counted usage goes to the ledger; usageDays, how
// far back GET .../usage reads it.
const (
	usageFlush = time.Minute
	usageDays  = 30
	// maxLimitedKeys bounds the rate limiter's memory.
	maxLimitedKeys = 100_000
)

// KeyManager is `ward serve`'s httpapi.KeyManager: service.Keys, with every change recorded
// in the ledger before it is answered, a rate limit per key, and usage
// counted per key and day (in memory, then in the ledger once a minute, so
// several instances' counts add up there).
type KeyManager struct {
	keys    *service.Keys
	rec     *audit.Recorder
	ledger  audit.Ledger
	limiter *apikeys.Limiter
	usage   *apikeys.Usage
	// index sums the ledger's usage records; indexed, once it has read them.
	index   usageIndex
	indexed bool
	now     func() time.Time
	logger  *slog.Logger
}

// NewKeyManager returns key management over keys, recording in rec, with
// rate authentications per minute per key (<= 0: no limit). KeepFlushing
// must run for usage to reach the ledger.
// Keys made through keys are confirmed by their record (service.Keys.Confirming).
func NewKeyManager(keys *service.Keys, rec *audit.Recorder, rate int, logger *slog.Logger) *KeyManager {
	m := &KeyManager{rec: rec, ledger: rec.Ledger(), limiter: apikeys.NewLimiter(rate, maxLimitedKeys),
		usage: apikeys.NewUsage(), now: time.Now, logger: logger}
	m.keys = keys.Confirming(m.confirm)
	return m
}

// confirm records a key made or rotated: a key whose record the ledger
// does not take is taken back, so none exists unrecorded.
func (m *KeyManager) confirm(ctx context.Context, issued apikeys.Issued, replaces string) error {
	if replaces == "" {
		return m.record(ctx, audit.KindKeyCreated, issued.Info, endText(issued.Info))
	}
	return m.record(ctx, audit.KindKeyRotated, issued.Info, fmt.Sprintf("replaces %s, which works until at most %s from now; the new key %s", replaces, service.RotationGrace, endText(issued.Info)))
}

// record writes a key's lifecycle record; when it cannot, the change is
// answered unavailable, never unrecorded: a key made is taken back
// (confirm), a revocation stands (a compromised key must stop even while
// the ledger is down) and the answer says it was made.
func (m *KeyManager) record(ctx context.Context, kind string, info apikeys.Info, detail string) error {
	who := audit.WhoFrom(ctx)
	r := &audit.Record{Time: m.now(), Kind: kind, RequestID: who.RequestID, Account: who.Account, Actor: who.Actor,
		Workspace: info.Workspace, Subject: domain.TypeServiceAccount + ":" + info.Account, Resource: keyResource(info.Workspace, info.ID), Detail: detail}
	if who.Actor != "" {
		r.Users = append(r.Users, personID(who.Actor))
	}
	r.Users = append(r.Users, r.Subject)
	if err := m.rec.Record(context.WithoutCancel(ctx), r); err != nil {
		m.logger.Error("audit: a key change could not be recorded", "kind", kind, "key", info.ID, "error", err)
		if kind == audit.KindKeyRevoked {
			return domain.Errorf(domain.CodeUnavailable, "key %s was revoked but the audit ledger could not record it (%v): Ward's operators must restore the ledger", info.ID, err)
		}
		return domain.Errorf(domain.CodeUnavailable, "the audit ledger could not record the key (%v), so none was made: try again once Ward's operators restore the ledger", err)
	}
	return nil
}

// keyResource names a key in the ledger by its public ID, never its hash.
func keyResource(ws, id string) string { return domain.TypeAPIKey + ":" + ws + "/" + id }

func endText(info apikeys.Info) string {
	if info.ExpiresAt == nil {
		return "never ends"
	}
	return "ends " + info.ExpiresAt.Format(time.RFC3339)
}

func (m *KeyManager) CreateKey(ctx context.Context, ws, account, actor string, expires time.Time) (apikeys.Issued, error) {
	return m.keys.Create(ctx, ws, account, actor, expires)
}

func (m *KeyManager) RotateKey(ctx context.Context, ws, id, actor string, expires time.Time) (apikeys.Issued, error) {
	return m.keys.Rotate(ctx, ws, id, actor, expires)
}

func (m *KeyManager) RevokeKey(ctx context.Context, ws, id, actor string) (apikeys.Info, error) {
	info, err := m.keys.Revoke(ctx, ws, id, actor)
	if err != nil {
		return info, err
	}
	m.limiter.Forget(keyResource(ws, id))
	return info, m.record(ctx, audit.KindKeyRevoked, info, "revoked")
}

func (m *KeyManager) ListKeys(ctx context.Context, ws string) ([]apikeys.Info, error) {
	return m.keys.List(ctx, ws)
}

// AuthenticateKey authenticates key, then counts it against its rate (only
// keys that authenticate have a bucket, so made-up keys cannot fill the
// limiter) and in its usage.
func (m *KeyManager) AuthenticateKey(ctx context.Context, key string) (apikeys.Identity, time.Duration, error) {
	id, err := m.keys.Authenticate(ctx, key)
	if errors.Is(err, service.ErrBadKey) {
		return id, 0, domain.Errorf(domain.CodeUnauthorized, "the API key is not valid: it is malformed, unknown, revoked or ended, or its service account was disabled or deleted")
	}
	if err != nil {
		return id, 0, err
	}
	name := keyResource(id.Workspace, id.KeyID)
	now := m.now()
	if ok, retry := m.limiter.Allow(name, now); !ok {
		return apikeys.Identity{}, max(retry, time.Second), nil
	}
	if !m.usage.Add(name, now) {
		m.FlushUsage(ctx)
		m.usage.Add(name, now)
	}
	return id, 0, nil
}

// usageIndex sums the ledger's api_key.usage records by key and day, kept
// up to date without reading the ledger again for each question: once at
// start, then by this instance's own records (a file ledger, which no other
// process writes) or by reading on from the last record seen (PostgreSQL,
// which other instances append to).
type usageIndex struct {
	mu     sync.Mutex
	after  int64 // records up to this seq are counted
	counts map[string]map[string]*api.KeyUsageDay
}

func (x *usageIndex) add(key, day string, n int64, last time.Time) {
	if x.counts == nil {
		x.counts = map[string]map[string]*api.KeyUsageDay{}
	}
	days := x.counts[key]
	if days == nil {
		days = map[string]*api.KeyUsageDay{}
		x.counts[key] = days
	}
	d := days[day]
	if d == nil {
		d = &api.KeyUsageDay{Day: day}
		days[day] = d
	}
	d.Requests += n
	if last.After(d.LastUsed) {
		d.LastUsed = last
	}
}

// usageMarker is in the stored line of every usage record (records are
// stored as their JSON); other records are passed over without decoding.
var usageMarker = []byte(`"kind":"` + audit.KindKeyUsage + `"`)

// catchUp counts the usage records stored after x.after, and forgets days
// older than usageDays. The caller holds x.mu.
func (x *usageIndex) catchUp(ctx context.Context, l audit.Ledger, now time.Time) error {
	err := l.Scan(ctx, x.after+1, func(st audit.Stored) error {
		var r audit.Record
		if !bytes.Contains(st.Line, usageMarker) {
			var head struct {
				Seq int64 `json:"seq"`
			}
			if err := json.Unmarshal(st.Line, &head); err != nil {
				return err
			}
			x.after = head.Seq
			return nil
		}
		if err := json.Unmarshal(st.Line, &r); err != nil {
			return err
		}
		if r.LastUsed != nil {
			x.add(r.Resource, r.Day, r.Requests, *r.LastUsed)
		}
		x.after = r.Seq
		return nil
	})
	x.prune(now)
	return err
}

// oldestUsageDay is the first day usage is kept for, as of now.
func oldestUsageDay(now time.Time) string {
	return now.AddDate(0, 0, -usageDays).UTC().Format(time.DateOnly)
}

// prune drops the days before the last usageDays, as of now, so that the
// index of a long-running instance stays bounded.
func (x *usageIndex) prune(now time.Time) {
	oldest := oldestUsageDay(now)
	for key, days := range x.counts {
		maps.DeleteFunc(days, func(day string, _ *api.KeyUsageDay) bool { return day < oldest })
		if len(days) == 0 {
			delete(x.counts, key)
		}
	}
}

// sharedLedger reports whether other Ward instances may append to l.
func sharedLedger(l audit.Ledger) bool {
	_, pg := l.(*audit.PG)
	return pg
}

// KeyUsage sums key id's usage per day over the last usageDays: what every
// instance recorded in the ledger, and what this one counted since.
func (m *KeyManager) KeyUsage(ctx context.Context, ws, id string) (api.KeyUsage, error) {
	if !apikeys.ValidID(id) {
		return api.KeyUsage{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "id", Message: fmt.Sprintf("%q is not a key ID: 16 lowercase hex digits, as creating the key answered", id)}
	}
	if err := domain.ValidateID(ws); err != nil {
		return api.KeyUsage{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "workspace", Message: err.Error()}
	}
	name := keyResource(ws, id)
	m.index.mu.Lock()
	if !m.indexed || sharedLedger(m.ledger) {
		if err := m.index.catchUp(ctx, m.ledger, m.now()); err != nil {
			m.index.mu.Unlock()
			return api.KeyUsage{}, domain.Errorf(domain.CodeUnavailable, "reading key usage from the audit ledger: %v", err)
		}
		m.indexed = true
	}
	now := m.now()
	m.index.prune(now)
	var sum usageIndex
	for day, d := range m.index.counts[name] {
		sum.add(name, day, d.Requests, d.LastUsed)
	}
	m.index.mu.Unlock()
	for _, c := range m.usage.Pending(name) {
		if c.Day >= oldestUsageDay(now) {
			sum.add(name, c.Day, c.Requests, c.LastUsed)
		}
	}
	out := api.KeyUsage{ID: id, Workspace: ws, Days: []api.KeyUsageDay{}}
	days := sum.counts[name]
	for _, day := range slices.Sorted(maps.Keys(days)) {
		out.Days = append(out.Days, *days[day])
	}
	return out, nil
}

// FlushUsage records the usage counted so far (KeepFlushing calls it each
// minute); what cannot be recorded is counted again for the next flush, so
// nothing is lost or counted twice.
func (m *KeyManager) FlushUsage(ctx context.Context) {
	counts := m.usage.Drain()
	if len(counts) == 0 {
		return
	}
	recs := make([]*audit.Record, 0, len(counts))
	for _, c := range counts {
		ws, id, _ := splitKeyResource(c.Key)
		last := c.LastUsed
		recs = append(recs, &audit.Record{Time: m.now(), Kind: audit.KindKeyUsage, Workspace: ws, Resource: keyResource(ws, id), Requests: c.Requests, Day: c.Day, LastUsed: &last})
	}
	// Held while recording, so that a question meanwhile sees these counts
	// either pending or indexed, never in neither.
	m.index.mu.Lock()
	defer m.index.mu.Unlock()
	if err := m.rec.Record(context.WithoutCancel(ctx), recs...); err != nil {
		m.usage.Restore(counts)
		m.logger.Warn("audit: key usage could not be recorded yet; it stays counted for the next try", "keys", len(counts), "error", err)
		return
	}
	if m.indexed && !sharedLedger(m.ledger) {
		for _, r := range recs {
			m.index.add(r.Resource, r.Day, r.Requests, *r.LastUsed)
			m.index.after = max(m.index.after, r.Seq)
		}
	}
}

// splitKeyResource reads keyResource's "api_key:WS/ID".
func splitKeyResource(s string) (ws, id string, ok bool) {
	rest, ok := strings.CutPrefix(s, domain.TypeAPIKey+":")
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, "/")
}

// KeepFlushing records usage every usageFlush until ctx ends, and once more
// then.
func (m *KeyManager) KeepFlushing(ctx context.Context) {
	t := time.NewTicker(usageFlush)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			m.FlushUsage(context.Background())
			return
		case <-t.C:
			m.FlushUsage(ctx)
		}
	}
}

// PlatformKeyManager is `ward serve`'s httpapi.PlatformKeyManager:
// service.PlatformKeys, with every change recorded in the ledger before it
// is answered.
type PlatformKeyManager struct {
	*service.PlatformKeys
	rec    *audit.Recorder
	now    func() time.Time
	logger *slog.Logger
}

// NewPlatformKeyManager returns platform key management over keys,
// recording in rec.
// Keys made through keys are confirmed by their record.
func NewPlatformKeyManager(keys *service.PlatformKeys, rec *audit.Recorder, logger *slog.Logger) *PlatformKeyManager {
	m := &PlatformKeyManager{rec: rec, now: time.Now, logger: logger}
	m.PlatformKeys = keys.Confirming(func(ctx context.Context, issued apikeys.PlatformIssued) error {
		return m.record(ctx, audit.KindPlatformKeyCreated, issued.PlatformInfo)
	})
	return m
}

func (m *PlatformKeyManager) record(ctx context.Context, kind string, info apikeys.PlatformInfo) error {
	who := audit.WhoFrom(ctx)
	scope := "every practice"
	if len(info.Workspaces) > 0 {
		scope = strings.Join(info.Workspaces, ", ")
	}
	r := &audit.Record{Time: m.now(), Kind: kind, RequestID: who.RequestID, Account: who.Account,
		Resource: domain.TypePlatformKey + ":" + info.ID, Detail: fmt.Sprintf("verbs %s in %s", strings.Join(info.Verbs, ", "), scope)}
	if err := m.rec.Record(context.WithoutCancel(ctx), r); err != nil {
		m.logger.Error("audit: a platform key change could not be recorded", "kind", kind, "key", info.ID, "error", err)
		if kind == audit.KindPlatformKeyRevoked {
			return domain.Errorf(domain.CodeUnavailable, "platform key %s was revoked but the audit ledger could not record it (%v): Ward's operators must restore the ledger", info.ID, err)
		}
		return domain.Errorf(domain.CodeUnavailable, "the audit ledger could not record the platform key (%v), so none was made: try again once Ward's operators restore the ledger", err)
	}
	return nil
}

// CreatePlatformKey makes a platform key and records it.
func (m *PlatformKeyManager) CreatePlatformKey(ctx context.Context, scope apikeys.Scope, expires time.Time) (apikeys.PlatformIssued, error) {
	return m.Create(ctx, scope, expires)
}

// ListPlatformKeys lists the live platform keys.
func (m *PlatformKeyManager) ListPlatformKeys(ctx context.Context) ([]apikeys.PlatformInfo, error) {
	return m.List(ctx)
}

// RevokePlatformKey ends a platform key and records it.
func (m *PlatformKeyManager) RevokePlatformKey(ctx context.Context, id string) (apikeys.PlatformInfo, error) {
	info, err := m.Revoke(ctx, id)
	if err != nil {
		return info, err
	}
	return info, m.record(ctx, audit.KindPlatformKeyRevoked, info)
}

// AuthenticatePlatformKey reads a platform key; one that does not
// authenticate is unauthorized (401), without saying why.
func (m *PlatformKeyManager) AuthenticatePlatformKey(ctx context.Context, key string) (apikeys.PlatformInfo, error) {
	info, err := m.Authenticate(ctx, key)
	if errors.Is(err, service.ErrBadPlatformKey) {
		return info, domain.Errorf(domain.CodeUnauthorized, "the platform key is not valid: it is malformed, unknown, revoked or ended")
	}
	return info, err
}
