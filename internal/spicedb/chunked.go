package spicedb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"github.com/authzed/spicedb/pkg/datalayer"
	"github.com/authzed/spicedb/pkg/datastore"
	"github.com/authzed/spicedb/pkg/datastore/options"
	core "github.com/authzed/spicedb/pkg/proto/core/v1"
	"github.com/authzed/spicedb/pkg/tuple"
	"github.com/authzed/spicedb/pkg/zedtoken"

	"github.com/wardhq/ward/internal/domain"
)

// rowsPerStatement is how many touches and deletes of a write the chunked
// path (Embedded.ChunkedWrites) hands SpiceDB's PostgreSQL datastore at
// once; its creates go in by one COPY (see chunkedWriter.Write).
//
// Through SpiceDB's API one write is one call of the datastore, which puts
// every created (and, apart, every touched) relationship in one INSERT of
// nine parameters each, and every deleted one in one UPDATE whose WHERE is
// an OR of six to nine parameters each. PostgreSQL's extended protocol
// carries at most 65,535 parameters, so SpiceDB v1.57.1 refuses a write of
// more than 7,281 new or touched relationships on PostgreSQL, and the
// statements grow slower than their size well before that: a role change of
// 41,010 updates at 5,000 staff took 70.9 s in chunks of 7,281, 6.0 s of
// 1,000, 4.8-5.9 s of 250 and 5.0 s of 100 (docs/performance.md has these
// and the runs without planner statistics).
const rowsPerStatement = 250

// chunkedWriter writes a WriteRelationshipsRequest in one datastore
// transaction: touches and deletes rowsPerStatement at a time, creates by
// COPY; see Embedded.ChunkedWrites.
type chunkedWriter struct {
	ds datastore.Datastore
	dl datalayer.DataLayer
}

// ChunkedWrites returns, for an in-process SpiceDB on PostgreSQL, a writer
// that applies a large write in one transaction of its datastore, its
// touches and deletes rowsPerStatement at a time and its creates by COPY
// (Config.ChunkedWrites): SpiceDB's API
// would put it in a few statements that PostgreSQL runs slowly, or refuse it
// past 7,281 new relationships. In that transaction it checks the write's
// preconditions, and each kind of relationship against the stored schema,
// as SpiceDB's WriteRelationships does. Memory has none of this: nil.
func (e *Embedded) ChunkedWrites() ChunkedWriter {
	if e.engine != EnginePostgres {
		return nil
	}
	return newChunkedWriter(e.ds)
}

// StoreConfig is the client configuration an in-process SpiceDB's writes
// need: its chunked and large writers.
func (e *Embedded) StoreConfig() Config {
	return Config{ChunkedWrites: e.ChunkedWrites(), LargeWrites: e.LargeWrites()}
}

// LargeWrites returns, for an in-process SpiceDB on any engine, a writer
// that applies a write too large for one SpiceDB call (MaxWriteBytes) in
// one transaction of its datastore, as ChunkedWrites does
// (Config.LargeWrites): many holdings with business hours or networks make
// a write of many bytes that is still one event.
func (e *Embedded) LargeWrites() ChunkedWriter { return newChunkedWriter(e.ds) }

func newChunkedWriter(ds datastore.Datastore) *chunkedWriter {
	return &chunkedWriter{ds: ds, dl: datalayer.NewDataLayer(ds)}
}

// ChunkedWriter applies one atomic write past what one SpiceDB API call takes.
type ChunkedWriter interface {
	Write(ctx context.Context, req *v1.WriteRelationshipsRequest) (string, error)
}

// errPrecondition says a precondition did not hold; Write answers domain.ErrRaced.
var errPrecondition = errors.New("a write precondition did not hold")

func (w *chunkedWriter) Write(ctx context.Context, req *v1.WriteRelationshipsRequest) (string, error) {
	updates, err := tuple.UpdatesFromV1RelationshipUpdates(req.GetUpdates())
	if err != nil {
		return "", spicedbErr(domain.CodeInternal, "writing relationships", "Ward built a relationship SpiceDB cannot read; report this with Ward's logs", err)
	}
	if err := distinct(updates); err != nil {
		return "", spicedbErr(domain.CodeInternal, "writing relationships", "Ward built a write that names one relationship twice; report this with Ward's logs", err)
	}
	rev, err := w.dl.ReadWriteTx(ctx, func(ctx context.Context, rwt datalayer.ReadWriteTransaction) error {
		sr, err := rwt.ReadSchema(ctx)
		if err != nil {
			return err
		}
		if err := conforms(ctx, sr, updates); err != nil {
			return err
		}
		for _, p := range req.GetOptionalPreconditions() {
			if err := holds(ctx, rwt, p); err != nil {
				return err
			}
		}
		// Creates go in by one COPY, as SpiceDB's own import writes: a
		// created relationship that exists already breaks the table's
		// unique key there as in an INSERT, which the datastore answers as
		// SpiceDB's API does (domain.ErrRaced), and nothing is written. One
		// COPY took loading through events from 0.72-0.84x of SpiceDB's own
		// writes to 1.03-1.17x (docs/performance.md, step 33).
		var creates []tuple.Relationship
		others := updates[:0:0]
		for _, u := range updates {
			if u.Operation == tuple.UpdateOperationCreate {
				creates = append(creates, u.Relationship)
			} else {
				others = append(others, u)
			}
		}
		for chunk := range slices.Chunk(others, rowsPerStatement) {
			if err := rwt.WriteRelationships(ctx, chunk); err != nil {
				return err
			}
		}
		if len(creates) > 0 {
			if _, err := rwt.BulkLoad(ctx, &relationshipSource{rels: creates}); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errPrecondition):
		return "", domain.ErrRaced
	case errors.As(err, new(schemaError)):
		return "", spicedbErr(domain.CodeInternal, "writing relationships", "SpiceDB does not hold the schema Ward needs: restart Ward so that it writes it (GET /v1/schema says whether it is current)", err)
	case err != nil:
		return "", err // the datastore's own; Client.writeChunked maps it
	}
	token, err := zedtoken.NewFromRevision(ctx, rev, datalayer.NoSchemaHashInTransaction, w.ds)
	if err != nil {
		return "", spicedbErr(domain.CodeInternal, "writing relationships", "the write happened, but its revision could not be encoded; report this with Ward's logs", err)
	}
	return token.GetToken(), nil
}

// distinct refuses a write that names one relationship twice, as SpiceDB's
// API does: the statements of different chunks would otherwise both apply.
func distinct(updates []tuple.RelationshipUpdate) error {
	seen := make(map[string]struct{}, len(updates))
	for _, u := range updates {
		key := tuple.StringWithoutCaveatOrExpiration(u.Relationship)
		if _, dup := seen[key]; dup {
			return fmt.Errorf("%s is in the write twice", key)
		}
		seen[key] = struct{}{}
	}
	return nil
}

// holds checks one precondition at the transaction's own snapshot.
func holds(ctx context.Context, rwt datalayer.ReadWriteTransaction, p *v1.Precondition) error {
	filter, err := datastore.RelationshipsFilterFromPublicFilter(p.GetFilter())
	if err != nil {
		return err
	}
	one := uint64(1)
	iter, err := rwt.QueryRelationships(ctx, filter, options.WithLimit(&one))
	if err != nil {
		return err
	}
	_, found, err := datastore.FirstRelationshipIn(iter)
	if err != nil {
		return err
	}
	if found != (p.GetOperation() == v1.Precondition_OPERATION_MUST_MATCH) {
		return errPrecondition
	}
	return nil
}

// schemaError is a relationship the stored schema does not allow.
type schemaError struct{ msg string }

func (e schemaError) Error() string { return e.msg }

// conforms checks each relationship's IDs, and each kind of relationship
// the write creates or touches (resource type, relation, subject type and
// relation, wildcard, expiring or not, caveated or not) against the stored
// schema: a relation that exists and is not a permission, whose allowed
// subjects include it exactly. The only caveats are Ward's own (window and
// during), with contexts as Ward writes them.
func conforms(ctx context.Context, sr datalayer.SchemaReader, updates []tuple.RelationshipUpdate) error {
	type shape struct {
		resource, relation, subject, subjectRelation string
		wildcard, expires                            bool
		caveat                                       string
	}
	shapes := map[shape]struct{}{}
	var types []string
	for _, u := range updates {
		r := u.Relationship
		if err := cmp.Or(r.Validate(), tuple.ValidateResourceID(r.Resource.ObjectID), tuple.ValidateSubjectID(r.Subject.ObjectID)); err != nil {
			return schemaError{fmt.Sprintf("%s: %v", tuple.StringWithoutCaveatOrExpiration(r), err)}
		}
		caveat := ""
		if c := r.OptionalCaveat; c != nil {
			var end domain.End
			if r.OptionalExpiration != nil {
				end = domain.EndAt(*r.OptionalExpiration)
			}
			if _, err := (domain.Relationship{}).WithCaveat(c.GetCaveatName(), c.GetContext().AsMap(), end); err != nil {
				return schemaError{fmt.Sprintf("%s: %v", tuple.StringWithoutCaveatOrExpiration(r), err)}
			}
			caveat = c.GetCaveatName()
		}
		if u.Operation == tuple.UpdateOperationDelete {
			continue // deleting what the schema does not allow deletes nothing
		}
		s := shape{r.Resource.ObjectType, r.Resource.Relation, r.Subject.ObjectType, r.Subject.Relation, r.Subject.ObjectID == tuple.PublicWildcard, r.OptionalExpiration != nil, caveat}
		if _, ok := shapes[s]; !ok {
			shapes[s] = struct{}{}
			if !slices.Contains(types, s.resource) {
				types = append(types, s.resource)
			}
		}
	}
	defs, err := sr.LookupTypeDefinitionsByNames(ctx, types)
	if err != nil {
		return err
	}
	for s := range shapes {
		def, ok := defs[s.resource]
		if !ok {
			return schemaError{fmt.Sprintf("the schema has no definition %q", s.resource)}
		}
		i := slices.IndexFunc(def.GetRelation(), func(r *core.Relation) bool { return r.GetName() == s.relation })
		if i < 0 || def.GetRelation()[i].GetTypeInformation() == nil {
			return schemaError{fmt.Sprintf("%s has no relation %q", s.resource, s.relation)}
		}
		if !slices.ContainsFunc(def.GetRelation()[i].GetTypeInformation().GetAllowedDirectRelations(), func(a *core.AllowedRelation) bool {
			if a.GetNamespace() != s.subject || a.GetRequiredCaveat().GetCaveatName() != s.caveat || (a.GetRequiredExpiration() != nil) != s.expires {
				return false
			}
			if s.wildcard {
				return a.GetPublicWildcard() != nil
			}
			return a.GetPublicWildcard() == nil && a.GetRelation() == s.subjectRelation
		}) {
			return schemaError{fmt.Sprintf("%s#%s does not take %s#%s (wildcard %v, expiring %v, caveat %q)", s.resource, s.relation, s.subject, s.subjectRelation, s.wildcard, s.expires, s.caveat)}
		}
	}
	return nil
}

// relationshipSource hands BulkLoad a slice of relationships.
type relationshipSource struct {
	rels []tuple.Relationship
	next int
}

func (s *relationshipSource) Next(context.Context) (*tuple.Relationship, error) {
	if s.next == len(s.rels) {
		return nil, nil
	}
	s.next++
	return &s.rels[s.next-1], nil
}
