package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/cli"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/service"
)

func reasonTexts(rs []domain.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text
	}
	return out
}

// Adapter talks to SpiceDB through Ward's service, with no HTTP in between.
func Adapter(ctx context.Context, c *service.Service) Client { return adapter{ctx, c} }

type adapter struct {
	ctx context.Context
	c   *service.Service
}

func (a adapter) Apply(events, actor string) (int, int, error) {
	evs, err := domain.ReadEvents(strings.NewReader(events))
	if err != nil {
		return 0, 0, err
	}
	for i := range evs {
		evs[i].Actor = actor
	}
	res, err := a.c.Apply(a.ctx, evs)
	return res.Touched, res.Deleted, err
}

// BreakGlass reads every page, two openings a page.
func (a adapter) BreakGlass(ws string, q domain.BreakGlassQuery) ([]domain.BreakGlass, error) {
	return pagesOfTwo(func(cursor string) ([]domain.BreakGlass, string, error) {
		q.Limit, q.Cursor = 2, cursor
		return a.c.BreakGlass(a.ctx, ws, q)
	})
}

// AccessRequests reads every page, two requests a page.
func (a adapter) AccessRequests(ws string, q domain.AccessRequestQuery) ([]domain.AccessRequest, error) {
	return pagesOfTwo(func(cursor string) ([]domain.AccessRequest, string, error) {
		q.Limit, q.Cursor = 2, cursor
		return a.c.AccessRequests(a.ctx, ws, q)
	})
}

// Delegations reads every page, two delegations a page.
func (a adapter) Delegations(ws string, q domain.DelegationQuery) ([]domain.Delegation, error) {
	return pagesOfTwo(func(cursor string) ([]domain.Delegation, string, error) {
		q.Limit, q.Cursor = 2, cursor
		return a.c.Delegations(a.ctx, ws, q)
	})
}

// AccessReview reads every page, two people a page.
func (a adapter) AccessReview(ws string, q domain.AccessReviewQuery) ([]domain.AccessReview, error) {
	return pagesOfTwo(func(cursor string) ([]domain.AccessReview, string, error) {
		q.Limit, q.Cursor = 2, cursor
		return a.c.AccessReview(a.ctx, ws, q)
	})
}

// pagesOfTwo reads page after page (each of at most two, which page asks
// for, after cursor), until the last.
func pagesOfTwo[T any](page func(cursor string) ([]T, string, error)) ([]T, error) {
	var out []T
	cursor := ""
	for {
		got, next, err := page(cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

func (a adapter) question(c Check) (domain.Question, error) {
	q, err := domain.ParseQuestion(c.Subject, c.Permission, c.Resource)
	q.Amount, q.IP = c.Amount, c.IP
	return q, err
}

func (a adapter) CheckConditional(c Check) (bool, []string, error) {
	q, err := a.question(c)
	if err != nil {
		return false, nil, err
	}
	d, err := a.c.Check(a.ctx, q, "")
	return d.Conditional, d.Missing, err
}

// checkContext is c's context as the API takes it.
func checkContext(c Check) *api.CheckContext {
	if c.Amount == "" && c.IP == "" {
		return nil
	}
	out := &api.CheckContext{}
	if c.Amount != "" {
		amount, err := strconv.ParseFloat(c.Amount, 64)
		if err != nil {
			panic("scenario amount " + c.Amount + " is not a number")
		}
		out.Amount = &amount
	}
	if c.IP != "" {
		out.IP = &c.IP
	}
	return out
}

func (a adapter) Check(c Check) (bool, error) {
	q, err := a.question(c)
	if err != nil {
		return false, err
	}
	d, err := a.c.Check(a.ctx, q, "")
	return d.Allowed, err
}

func (a adapter) Consume(c Check) (bool, string, error) {
	q, err := a.question(c)
	if err != nil {
		return false, "", err
	}
	d, used, err := a.c.Consume(a.ctx, q, "")
	return d.Allowed, used.Request, err
}

func (a adapter) CheckBulk(cs []Check) ([]bool, error) {
	qs := make([]domain.Question, len(cs))
	for i, c := range cs {
		q, err := a.question(c)
		if err != nil {
			return nil, err
		}
		qs[i] = q
	}
	ds, _, err := a.c.CheckBulk(a.ctx, qs, "")
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(ds))
	for i, d := range ds {
		if d.Err != nil {
			return nil, d.Err
		}
		out[i] = d.Allowed
	}
	return out, nil
}

func (a adapter) Fields(subject, resource, ip string) (map[string]domain.FieldAccess, error) {
	sub, err := domain.ParseSubject(subject)
	if err != nil {
		return nil, err
	}
	res, err := domain.ParseResource(resource)
	if err != nil {
		return nil, err
	}
	groups, qs, err := domain.FieldQuestions(sub, res)
	if err != nil {
		return nil, err
	}
	for i := range qs {
		qs[i].IP = ip
	}
	ds, _, err := a.c.CheckBulk(a.ctx, qs, "")
	if err != nil {
		return nil, err
	}
	return domain.FieldAnswers(groups, ds)
}

func (a adapter) InactiveAccess() ([]string, error) {
	rels, err := a.c.InactiveAccess(a.ctx)
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = r.String()
	}
	return out, err
}

func (a adapter) LookupResources(subject, permission, typ, ip string) ([]string, error) {
	out, _, err := a.lookup(Lookup{Subject: subject, Permission: permission, ResourceType: typ, IP: ip}, false)
	return out, err
}

func (a adapter) LookupSubjects(resource, permission, ip string) ([]string, error) {
	out, _, err := a.lookup(Lookup{Resource: resource, Permission: permission, IP: ip}, false)
	return out, err
}

func (a adapter) LookupConditional(l Lookup) ([]string, map[string][]string, error) {
	return a.lookup(l, true)
}

func (a adapter) lookup(l Lookup, conditional bool) ([]string, map[string][]string, error) {
	given := domain.Given{IP: l.IP, Conditional: conditional}
	if l.Subject != "" {
		sub, err := domain.ParseSubject(l.Subject)
		if err != nil {
			return nil, nil, err
		}
		return allPages(l.ResourceType, func(cursor string) ([]domain.Found, string, string, error) {
			return a.c.LookupResourcesPage(a.ctx, sub, l.Permission, l.ResourceType, given, "", cursor, api.MaxLimit)
		})
	}
	res, err := domain.ParseResource(l.Resource)
	if err != nil {
		return nil, nil, err
	}
	people, cond, err := allPages("", func(cursor string) ([]domain.Found, string, string, error) {
		return a.c.LookupSubjectsPage(a.ctx, res, l.Permission, given, "", cursor, api.MaxLimit)
	})
	for i, p := range people {
		people[i] = domain.PersonRef(p)
	}
	refs := map[string][]string{}
	for p, missing := range cond {
		refs[domain.PersonRef(p)] = missing
	}
	return people, refs, err
}

// allPages follows a paged lookup's cursors to its end and returns every ID
// allowed outright, and every conditional one with the context it needs, as
// "typ:id" (as given when typ is "").
func allPages(typ string, page func(cursor string) ([]domain.Found, string, string, error)) ([]string, map[string][]string, error) {
	var out []string
	cond := map[string][]string{}
	cursor := ""
	for {
		found, next, _, err := page(cursor)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range found {
			id := f.ID
			if typ != "" {
				id = typ + ":" + id
			}
			if f.Conditional() {
				cond[id] = f.Missing
			} else {
				out = append(out, id)
			}
		}
		if next == "" {
			return out, cond, nil
		}
		cursor = next
	}
}

func (a adapter) Explain(c Check) (bool, []string, error) {
	q, err := a.question(c)
	if err != nil {
		return false, nil, err
	}
	ex, _, err := a.c.Explain(a.ctx, q, "")
	return ex.Allowed, reasonTexts(ex.Reasons), err
}

// HTTP talks to a running Ward through its HTTP API with the Go client.
func HTTP(ctx context.Context, c *client.Client) Client { return httpClient{ctx, c} }

type httpClient struct {
	ctx context.Context
	c   *client.Client
}

func (h httpClient) Apply(events, actor string) (int, int, error) {
	raws, err := domain.ReadEventLines(strings.NewReader(events))
	if err != nil {
		return 0, 0, err
	}
	res, err := h.c.Apply(h.ctx, api.EventsRequest{Events: raws, Actor: actor})
	if err == nil && res.ZedToken == "" {
		err = fmt.Errorf("no zedtoken in %+v", res)
	}
	return res.Touched, res.Deleted, err
}

// BreakGlass reads every page, two openings a page.
func (h httpClient) BreakGlass(ws string, q domain.BreakGlassQuery) ([]domain.BreakGlass, error) {
	return pagesOfTwo(func(cursor string) ([]domain.BreakGlass, string, error) {
		q.Limit, q.Cursor = 2, cursor
		page, err := h.c.BreakGlass(h.ctx, ws, q)
		return page.BreakGlass, page.Cursor, err
	})
}

// AccessRequests reads every page, two requests a page.
func (h httpClient) AccessRequests(ws string, q domain.AccessRequestQuery) ([]domain.AccessRequest, error) {
	return pagesOfTwo(func(cursor string) ([]domain.AccessRequest, string, error) {
		q.Limit, q.Cursor = 2, cursor
		page, err := h.c.AccessRequests(h.ctx, ws, q)
		return page.Requests, page.Cursor, err
	})
}

// Delegations reads every page, two delegations a page.
func (h httpClient) Delegations(ws string, q domain.DelegationQuery) ([]domain.Delegation, error) {
	return pagesOfTwo(func(cursor string) ([]domain.Delegation, string, error) {
		q.Limit, q.Cursor = 2, cursor
		page, err := h.c.Delegations(h.ctx, ws, q)
		return page.Delegations, page.Cursor, err
	})
}

// AccessReview reads every page, two people a page.
func (h httpClient) AccessReview(ws string, q domain.AccessReviewQuery) ([]domain.AccessReview, error) {
	return pagesOfTwo(func(cursor string) ([]domain.AccessReview, string, error) {
		q.Limit, q.Cursor = 2, cursor
		page, err := h.c.AccessReview(h.ctx, ws, q)
		return page.Reviews, page.Cursor, err
	})
}

func (h httpClient) Consume(c Check) (bool, string, error) {
	res, err := h.c.Check(h.ctx, api.CheckRequest{Subject: c.Subject, Permission: c.Permission, Resource: c.Resource, Context: checkContext(c), Consume: true})
	return res.Allowed, res.Consumed, err
}

func (h httpClient) Check(c Check) (bool, error) {
	res, err := h.c.Check(h.ctx, api.CheckRequest{Subject: c.Subject, Permission: c.Permission, Resource: c.Resource, Context: checkContext(c)})
	return res.Allowed, err
}

func (h httpClient) CheckConditional(c Check) (bool, []string, error) {
	res, err := h.c.Check(h.ctx, api.CheckRequest{Subject: c.Subject, Permission: c.Permission, Resource: c.Resource, Context: checkContext(c)})
	return res.Conditional, res.Missing, err
}

func (h httpClient) CheckBulk(cs []Check) ([]bool, error) {
	req := api.BulkCheckRequest{}
	for _, c := range cs {
		req.Checks = append(req.Checks, api.BulkCheckItem{Subject: c.Subject, Permission: c.Permission, Resource: c.Resource, Context: checkContext(c)})
	}
	res, err := h.c.CheckBulk(h.ctx, req)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(res.Results))
	for i, r := range res.Results {
		if r.Error != nil {
			return nil, fmt.Errorf("item %d: %s", i, r.Error.Message)
		}
		out[i] = r.Allowed
	}
	return out, nil
}

func (h httpClient) Fields(subject, resource, ip string) (map[string]domain.FieldAccess, error) {
	res, err := h.c.Fields(h.ctx, api.FieldsRequest{Subject: subject, Resource: resource, Context: checkContext(Check{IP: ip})})
	return res.Fields, err
}

func (h httpClient) LookupResources(subject, permission, typ, ip string) ([]string, error) {
	out, _, err := h.lookup(Lookup{Subject: subject, Permission: permission, ResourceType: typ, IP: ip}, false)
	return out, err
}

func (h httpClient) LookupSubjects(resource, permission, ip string) ([]string, error) {
	out, _, err := h.lookup(Lookup{Resource: resource, Permission: permission, IP: ip}, false)
	return out, err
}

func (h httpClient) LookupConditional(l Lookup) ([]string, map[string][]string, error) {
	return h.lookup(l, true)
}

// lookup asks page by page (two results a page, so that pages cut between
// outright and conditional results), and for resources also streamed,
// which must answer the same.
func (h httpClient) lookup(l Lookup, conditional bool) ([]string, map[string][]string, error) {
	var out []string
	cond := map[string][]string{}
	given := checkContext(Check{IP: l.IP})
	// page asks one page and returns its outright results, its conditional
	// ones and the next page's cursor.
	var page func(cursor string) ([]string, map[string][]string, string, error)
	if l.Subject == "" {
		page = func(cursor string) ([]string, map[string][]string, string, error) {
			p, err := h.c.LookupSubjects(h.ctx, api.LookupSubjectsRequest{Resource: l.Resource, Permission: l.Permission, Limit: 2, Cursor: cursor, Context: given, IncludeConditional: conditional})
			c := map[string][]string{}
			for _, s := range p.Conditional {
				c[s.Subject] = s.Missing
			}
			return p.Subjects, c, p.Cursor, err
		}
	} else {
		page = func(cursor string) ([]string, map[string][]string, string, error) {
			p, err := h.c.LookupResources(h.ctx, api.LookupResourcesRequest{Subject: l.Subject, Permission: l.Permission, ResourceType: l.ResourceType, Limit: 2, Cursor: cursor, Context: given, IncludeConditional: conditional})
			c := map[string][]string{}
			for _, r := range p.Conditional {
				c[r.Resource] = r.Missing
			}
			return p.Resources, c, p.Cursor, err
		}
	}
	for cursor := ""; ; {
		ids, c, next, err := page(cursor)
		if err != nil {
			return nil, nil, err
		}
		if n := len(ids) + len(c); n > 2 || (n < 2 && next != "") {
			return nil, nil, fmt.Errorf("a page of limit 2 held %d results and cursor %q", n, next)
		}
		out = append(out, ids...)
		maps.Copy(cond, c)
		if next == "" {
			break
		}
		cursor = next
	}
	if l.Subject == "" {
		return out, cond, nil
	}
	// The streamed answer must hold the same resources, each once, those
	// that need more context last.
	var streamed []string
	streamedCond := map[string][]string{}
	if _, err := h.c.StreamLines(h.ctx, api.LookupStreamRequest{Subject: l.Subject, Permission: l.Permission, ResourceType: l.ResourceType, Context: given, IncludeConditional: conditional}, func(line api.LookupStreamLine) error {
		if line.Conditional {
			streamedCond[line.Resource] = line.Missing
		} else if len(streamedCond) > 0 {
			return fmt.Errorf("%s came outright after a conditional result: they come last", line.Resource)
		} else {
			streamed = append(streamed, line.Resource)
		}
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("streamed lookup: %w", err)
	}
	slices.Sort(streamed)
	if !slices.Equal(streamed, out) || !maps.EqualFunc(streamedCond, cond, slices.Equal) {
		return nil, nil, fmt.Errorf("the streamed lookup answered %v and conditional %v, the paged one %v and %v", streamed, streamedCond, out, cond)
	}
	return out, cond, nil
}

func (h httpClient) Explain(c Check) (bool, []string, error) {
	res, err := h.c.Explain(h.ctx, api.CheckRequest{Subject: c.Subject, Permission: c.Permission, Resource: c.Resource, Context: checkContext(c)})
	return res.Allowed, reasonTexts(res.Reasons), err
}

// CLI runs the real `ward` command tree, with env as its environment (which
// names the server: WARD_SERVER, WARD_TOKEN), and reads its JSON output.
func CLI(ctx context.Context, env map[string]string) Client { return cliClient{ctx, env} }

type cliClient struct {
	ctx context.Context
	env map[string]string
}

func (c cliClient) run(stdin string, out any, args ...string) error {
	var stdout, stderr bytes.Buffer
	err := cli.Run(c.ctx, append(args, "--output", "json"), cli.Env{
		Getenv: func(k string) string { return c.env[k] },
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
	})
	if err != nil {
		return fmt.Errorf("ward %s: %w (stderr: %s)", strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("ward %s printed %q: %w", strings.Join(args, " "), stdout.String(), err)
	}
	return nil
}

func (c cliClient) Apply(events, actor string) (int, int, error) {
	var res api.EventsResponse
	args := []string{"events", "apply", "-f", "-"}
	if actor != "" {
		args = append(args, "--actor", actor)
	}
	err := c.run(events, &res, args...)
	return res.Touched, res.Deleted, err
}

func (c cliClient) BreakGlass(ws string, q domain.BreakGlassQuery) ([]domain.BreakGlass, error) {
	return cliList[domain.BreakGlass](c, "break-glass", ws, q.State, map[string]string{"--user": q.User, "--client": q.Client})
}

func (c cliClient) AccessRequests(ws string, q domain.AccessRequestQuery) ([]domain.AccessRequest, error) {
	return cliList[domain.AccessRequest](c, "access-requests", ws, q.State, map[string]string{"--user": q.User})
}

func (c cliClient) Delegations(ws string, q domain.DelegationQuery) ([]domain.Delegation, error) {
	return cliList[domain.Delegation](c, "delegations", ws, q.State, map[string]string{"--user": q.User})
}

func (c cliClient) AccessReview(ws string, q domain.AccessReviewQuery) ([]domain.AccessReview, error) {
	var out []domain.AccessReview
	args := []string{"access-review", "list", "--workspace", ws}
	if q.User != "" {
		args = append(args, "--user", q.User)
	}
	if q.Actor != "" {
		args = append(args, "--actor", q.Actor)
	}
	if q.Due {
		args = append(args, "--due")
	}
	err := c.run("", &out, args...)
	return out, err
}

// cliList runs `ward LIST list` for practice ws in state, with the flags
// given a value.
func cliList[T any](c cliClient, list, ws, state string, flags map[string]string) ([]T, error) {
	var out []T
	args := []string{list, "list", "--workspace", ws, "--state", state}
	for flag, v := range flags {
		if v != "" {
			args = append(args, flag, v)
		}
	}
	err := c.run("", &out, args...)
	return out, err
}

// contextArgs are chk's context as the CLI's flags.
func contextArgs(chk Check) []string {
	var out []string
	if chk.Amount != "" {
		out = append(out, "--context", "amount="+chk.Amount)
	}
	if chk.IP != "" {
		out = append(out, "--context", "ip="+chk.IP)
	}
	return out
}

func (c cliClient) Check(chk Check) (bool, error) {
	var res api.CheckResponse
	err := c.run("", &res, append([]string{"check", chk.Subject, chk.Permission, chk.Resource}, contextArgs(chk)...)...)
	return res.Allowed, err
}

func (c cliClient) Consume(chk Check) (bool, string, error) {
	var res api.CheckResponse
	err := c.run("", &res, append([]string{"check", chk.Subject, chk.Permission, chk.Resource, "--consume"}, contextArgs(chk)...)...)
	return res.Allowed, res.Consumed, err
}

func (c cliClient) CheckConditional(chk Check) (bool, []string, error) {
	var res api.CheckResponse
	err := c.run("", &res, append([]string{"check", chk.Subject, chk.Permission, chk.Resource}, contextArgs(chk)...)...)
	return res.Conditional, res.Missing, err
}

func (c cliClient) Fields(subject, resource, ip string) (map[string]domain.FieldAccess, error) {
	var res api.FieldsResponse
	err := c.run("", &res, append([]string{"fields", subject, resource}, contextArgs(Check{IP: ip})...)...)
	return res.Fields, err
}

func (c cliClient) LookupResources(subject, permission, typ, ip string) ([]string, error) {
	out, _, err := c.lookup(Lookup{Subject: subject, Permission: permission, ResourceType: typ, IP: ip}, false)
	return out, err
}

func (c cliClient) LookupSubjects(resource, permission, ip string) ([]string, error) {
	out, _, err := c.lookup(Lookup{Resource: resource, Permission: permission, IP: ip}, false)
	return out, err
}

func (c cliClient) LookupConditional(l Lookup) ([]string, map[string][]string, error) {
	return c.lookup(l, true)
}

func (c cliClient) lookup(l Lookup, conditional bool) ([]string, map[string][]string, error) {
	args := append([]string{"--limit", "2", "--all"}, contextArgs(Check{IP: l.IP})...)
	if conditional {
		args = append(args, "--conditional")
	}
	cond := map[string][]string{}
	if l.Subject == "" {
		var res api.LookupSubjectsResponse
		err := c.run("", &res, append([]string{"lookup", "subjects", "--resource", l.Resource, "--permission", l.Permission}, args...)...)
		for _, s := range res.Conditional {
			cond[s.Subject] = s.Missing
		}
		return res.Subjects, cond, err
	}
	var res api.LookupResourcesResponse
	err := c.run("", &res, append([]string{"lookup", "resources", "--subject", l.Subject, "--permission", l.Permission, "--type", l.ResourceType}, args...)...)
	for _, r := range res.Conditional {
		cond[r.Resource] = r.Missing
	}
	return res.Resources, cond, err
}

func (c cliClient) Explain(chk Check) (bool, []string, error) {
	var res api.ExplainResponse
	err := c.run("", &res, append([]string{"explain", chk.Subject, chk.Permission, chk.Resource}, contextArgs(chk)...)...)
	return res.Allowed, reasonTexts(res.Reasons), err
}
