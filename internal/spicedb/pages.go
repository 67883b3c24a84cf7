package spicedb

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/wardhq/ward/internal/domain"
)

// Default bounds of the page cache (Config.PageCacheEntries and
// Config.PageCacheBytes): a list of 12,500 clients holds about 0.4 MB of IDs,
// so 64 MiB keeps some 150 such lists while they are paged.
const (
	DefaultPageCacheEntries = 1024
	DefaultPageCacheBytes   = 64 << 20
)

// LookupResourcesPage answers one page of a resource lookup: at most limit
// IDs of resourceType on which subject has permission, after the cursor's
// (from the start when cursor is ""), the cursor of the next page ("" on the
// last) and the revision read.
//
// SpiceDB computes a lookup whole before Ward can cut a page from it, so a
// first page reads at least as fresh as token and keeps the whole answer in a
// cache keyed by the question and the revision read; the cursor carries that
// revision, and every later page is cut from the cached answer, or, once the
// cache has dropped it (or another Ward instance serves the page), from the
// same lookup made again at exactly that revision. Paging to the end costs one
// lookup, and a list never mixes revisions; token only matters on a first page.
func (c *Client) LookupResourcesPage(ctx context.Context, subject domain.Object, permission, resourceType string, given domain.Given, token, cursor string, limit int) ([]domain.Found, string, string, error) {
	return c.page(ctx, lookup{object: subject, permission: permission, resourceType: resourceType, given: given}, token, cursor, limit)
}

// LookupSubjectsPage is LookupResourcesPage for the users who have permission
// on resource.
func (c *Client) LookupSubjectsPage(ctx context.Context, resource domain.Object, permission string, given domain.Given, token, cursor string, limit int) ([]domain.Found, string, string, error) {
	return c.page(ctx, lookup{subjects: true, object: resource, permission: permission, given: given}, token, cursor, limit)
}

func (c *Client) page(ctx context.Context, l lookup, token, cursor string, limit int) (page []domain.Found, next, readAt string, err error) {
	var ids []domain.Found
	after := ""
	if cursor == "" {
		l.at = c.clock()
		cons, err := c.callerConsistency(ctx, token)
		if err != nil {
			return nil, "", "", err
		}
		if ids, readAt, err = c.lookup(ctx, l, cons, tokenField(token)); err != nil {
			return nil, "", "", err
		}
		if readAt, err = c.answeredAt(ctx, cons, readAt); err != nil {
			return nil, "", "", err
		}
		if len(ids) > limit {
			c.pages.put(l.key()+"@"+readAt+"@"+atText(l.at), ids)
		}
	} else {
		cur, err := c.decodeCursor(cursor, l)
		if err != nil {
			return nil, "", "", err
		}
		if err := c.checkOrigin(ctx, cur.Revision, fieldCursor); err != nil {
			return nil, "", "", err
		}
		readAt, after = cur.Revision, cur.After
		if l.at, err = time.Parse(time.RFC3339Nano, cur.At); err != nil {
			return nil, "", "", &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: fieldCursor, Message: "is not a cursor this Ward version answered: start again from the first page"}
		}
		key := l.key() + "@" + readAt + "@" + cur.At
		var ok bool
		if ids, ok = c.pages.get(key); !ok {
			if ids, _, err = c.lookup(ctx, l, exactly(readAt), fieldCursor); err != nil {
				return nil, "", "", err
			}
			c.pages.put(key, ids)
		}
	}
	page, last := domain.PageOf(ids, after, limit)
	if last != "" {
		next = c.encodeCursor(l, readAt, last)
	}
	return page, next, readAt, nil
}

// atText is the moment a lookup asked at, as its cursor carries it.
func atText(at time.Time) string { return at.UTC().Format(time.RFC3339Nano) }

// key names the question, for the page cache and cursors.
func (l lookup) key() string {
	kind := "resources"
	if l.subjects {
		kind = "subjects"
	}
	key := kind + "\x00" + l.object.String() + "\x00" + l.permission + "\x00" + l.resourceType + "\x00" + l.given.Amount + "\x00" + l.given.IP
	if l.given.Conditional {
		key += "\x00conditional"
	}
	return key
}

// cursor is where a paged lookup goes on: after which ID, at which revision
// and moment (grants that start or end count as at the first page), of which
// question (a hash, so that a cursor is not taken to another
// lookup), signed with the client's key so that a caller cannot move it to
// another revision or position.
type cursor struct {
	Question string `json:"q"`
	Revision string `json:"r"`
	At       string `json:"t"`
	After    string `json:"a"`
	MAC      string `json:"m"`
}

func questionHash(l lookup) string {
	sum := sha256.Sum256([]byte(l.key()))
	return hex.EncodeToString(sum[:8])
}

// mac signs a cursor's fields, each length-prefixed so that none can take
// bytes from the next.
func (c *Client) mac(cur cursor) string {
	h := hmac.New(sha256.New, c.cursorKey)
	for _, f := range []string{cur.Question, cur.Revision, cur.At, cur.After} {
		fmt.Fprintf(h, "%d:%s", len(f), f)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}

func (c *Client) encodeCursor(l lookup, revision, after string) string {
	cur := cursor{Question: questionHash(l), Revision: revision, At: atText(l.at), After: after}
	cur.MAC = c.mac(cur)
	b, _ := json.Marshal(cur)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c *Client) decodeCursor(s string, l lookup) (cursor, error) {
	var cur cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &cur)
	}
	if err != nil || cur.Revision == "" || !hmac.Equal([]byte(cur.MAC), []byte(c.mac(cur))) {
		return cursor{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: fieldCursor, Message: "is not a cursor Ward answered (or one from a Ward with another cursor key): pass the cursor of the previous page unchanged, or none for the first page"}
	}
	if cur.Question != questionHash(l) {
		return cursor{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: fieldCursor, Message: "belongs to another lookup: pass the cursor this lookup's previous page answered, or none for the first page"}
	}
	return cur, nil
}

// pageCache keeps whole lookup answers by question and revision, for the later
// pages of paged lookups. It is bounded by entries and by the bytes of the
// IDs it holds; the least recently used answers go first, and an answer larger
// than the whole byte bound is not kept. The IDs it returns are shared: read
// them, never change them.
type pageCache struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int64
	bytes      int64
	order      *list.List // of *pageEntry, most recently used first
	entries    map[string]*list.Element
}

type pageEntry struct {
	key  string
	ids  []domain.Found
	size int64
}

func newPageCache(maxEntries int, maxBytes int64) *pageCache {
	return &pageCache{maxEntries: maxEntries, maxBytes: maxBytes, order: list.New(), entries: map[string]*list.Element{}}
}

// answerSize is what an answer costs the cache: its IDs and the context
// each needs, their headers (16 bytes a string, 40 a result) and its key.
func answerSize(key string, ids []domain.Found) int64 {
	n := int64(len(key)) + 40*int64(len(ids))
	for _, f := range ids {
		n += int64(len(f.ID))
		for _, m := range f.Missing {
			n += 16 + int64(len(m))
		}
	}
	return n
}

func (p *pageCache) get(key string) ([]domain.Found, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok {
		return nil, false
	}
	p.order.MoveToFront(e)
	return e.Value.(*pageEntry).ids, true
}

func (p *pageCache) put(key string, ids []domain.Found) {
	size := answerSize(key, ids)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.maxEntries <= 0 || size > p.maxBytes {
		return
	}
	if e, ok := p.entries[key]; ok {
		p.remove(e)
	}
	p.entries[key] = p.order.PushFront(&pageEntry{key: key, ids: ids, size: size})
	p.bytes += size
	for p.order.Len() > p.maxEntries || p.bytes > p.maxBytes {
		p.remove(p.order.Back())
	}
}

func (p *pageCache) remove(e *list.Element) {
	entry := p.order.Remove(e).(*pageEntry)
	delete(p.entries, entry.key)
	p.bytes -= entry.size
}

// len reports how many answers and bytes the cache holds.
func (p *pageCache) len() (int, int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.order.Len(), p.bytes
}
