// Package client is a Go client for Ward's HTTP API, used by the `ward` CLI and
// by app services written in Go.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wardhq/ward/api"
)

// Client calls one Ward server.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// New returns a client for the Ward at baseURL (e.g. http://127.0.0.1:8080),
// sending token as its API key when not empty. hc may be nil.
func New(baseURL, token string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, http: hc}
}

// Error is an error answered by Ward.
type Error struct {
	Status int
	Body   api.ErrorBody
	// RetryAfter is the answer's Retry-After, when it has one (429, 503).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (HTTP %d): ", e.Body.Code, e.Status)
	if e.Body.Index != nil {
		fmt.Fprintf(&b, "event or item %d: ", *e.Body.Index)
	}
	if e.Body.Field != "" {
		fmt.Fprintf(&b, "%s: ", e.Body.Field)
	}
	b.WriteString(e.Body.Message)
	return b.String()
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading Ward's answer: %w", err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding Ward's answer: %w", err)
	}
	return nil
}

// send makes one request and returns the answer when it succeeded, its body
// unread, or Ward's error.
func (c *Client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("building the request to %s: %w", c.base, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("calling Ward at %s: %w (is `ward serve` running? set --server or WARD_SERVER)", c.base, err)
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading Ward's answer: %w", err)
	}
	var retry time.Duration
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		retry = time.Duration(secs) * time.Second
	}
	var e api.ErrorResponse
	if json.Unmarshal(data, &e) != nil || e.Error.Code == "" {
		return nil, &Error{Status: resp.StatusCode, Body: api.ErrorBody{Code: "http", Message: strings.TrimSpace(string(data))}, RetryAfter: retry}
	}
	return nil, &Error{Status: resp.StatusCode, Body: e.Error, RetryAfter: retry}
}

// call makes one request and decodes its answer as T.
func call[T any](ctx context.Context, c *Client, method, path string, in any) (T, error) {
	var out T
	err := c.do(ctx, method, path, in, &out)
	return out, err
}

// ApplyEvents applies events atomically.
func (c *Client) ApplyEvents(ctx context.Context, events []json.RawMessage) (api.EventsResponse, error) {
	return call[api.EventsResponse](ctx, c, http.MethodPost, "/v1/events", api.EventsRequest{Events: events})
}

// Apply applies req's events atomically, on behalf of req's actor when set.
func (c *Client) Apply(ctx context.Context, req api.EventsRequest) (api.EventsResponse, error) {
	return call[api.EventsResponse](ctx, c, http.MethodPost, "/v1/events", req)
}

// Audit reads one page of the audit ledger.
func (c *Client) Audit(ctx context.Context, q api.AuditQuery) (api.AuditPage, error) {
	v := url.Values{}
	for k, s := range map[string]string{"workspace": q.Workspace, "user": q.User, "client": q.Client, "action": q.Action, "cursor": q.Cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	for k, t := range map[string]time.Time{"from": q.From, "to": q.To} {
		if !t.IsZero() {
			v.Set(k, t.Format(time.RFC3339))
		}
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return call[api.AuditPage](ctx, c, http.MethodGet, "/v1/audit?"+v.Encode(), nil)
}

// AuditVerify checks the audit ledger's hash chain, and, when headSeq > 0,
// that record headSeq still has headHash.
func (c *Client) AuditVerify(ctx context.Context, headSeq int64, headHash string) (api.AuditVerification, error) {
	path := "/v1/audit/verify"
	if headSeq != 0 || headHash != "" { // either alone is refused, never dropped
		path += "?" + url.Values{"head_seq": {strconv.FormatInt(headSeq, 10)}, "head_hash": {headHash}}.Encode()
	}
	return call[api.AuditVerification](ctx, c, http.MethodGet, path, nil)
}

// Import loads new practices in one atomic bulk import: every event must be
// about a workspace created earlier in the same import.
func (c *Client) Import(ctx context.Context, events []json.RawMessage) (api.EventsResponse, error) {
	return call[api.EventsResponse](ctx, c, http.MethodPost, "/v1/import", api.EventsRequest{Events: events})
}

// Check asks one question.
func (c *Client) Check(ctx context.Context, req api.CheckRequest) (api.CheckResponse, error) {
	return call[api.CheckResponse](ctx, c, http.MethodPost, "/v1/check", req)
}

// CheckBulk asks many questions at once.
func (c *Client) CheckBulk(ctx context.Context, req api.BulkCheckRequest) (api.BulkCheckResponse, error) {
	return call[api.BulkCheckResponse](ctx, c, http.MethodPost, "/v1/check/bulk", req)
}

// LookupResources lists one page of resources a subject has a permission on.
func (c *Client) LookupResources(ctx context.Context, req api.LookupResourcesRequest) (api.LookupResourcesResponse, error) {
	return call[api.LookupResourcesResponse](ctx, c, http.MethodPost, "/v1/lookup/resources", req)
}

// StreamResources calls fn with every resource ("type:id") a subject has a
// permission on outright, as Ward streams them (each once, not sorted), and
// returns the ZedToken the answer was read at. An error from fn stops the
// stream. An answer that ends without its done line is reported as cut off.
// The resources allowed only with more context (req.IncludeConditional)
// are not passed to fn: StreamLines reads them.
func (c *Client) StreamResources(ctx context.Context, req api.LookupStreamRequest, fn func(resource string) error) (string, error) {
	return c.StreamLines(ctx, req, func(line api.LookupStreamLine) error {
		if line.Conditional {
			return nil
		}
		return fn(line.Resource)
	})
}

// StreamLines is StreamResources with each resource's whole line: with
// req.IncludeConditional, those allowed only with more context follow the
// others, with Conditional and Missing set.
func (c *Client) StreamLines(ctx context.Context, req api.LookupStreamRequest, fn func(api.LookupStreamLine) error) (string, error) {
	resp, err := c.send(ctx, http.MethodPost, "/v1/lookup/resources/stream", req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for n := 0; ; {
		var line api.LookupStreamLine
		if err := dec.Decode(&line); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return "", fmt.Errorf("reading Ward's streamed answer after %d resources: %w (the answer was cut off; ask again)", n, err)
		}
		switch {
		case line.Error != nil:
			return "", &Error{Status: resp.StatusCode, Body: *line.Error}
		case line.Done:
			if line.Count != n {
				return "", fmt.Errorf("Ward streamed %d resources but says it sent %d; ask again", n, line.Count)
			}
			return line.ZedToken, nil
		}
		n++
		if err := fn(line); err != nil {
			return "", err
		}
	}
}

// LookupSubjects lists one page of users who have a permission on a resource.
func (c *Client) LookupSubjects(ctx context.Context, req api.LookupSubjectsRequest) (api.LookupSubjectsResponse, error) {
	return call[api.LookupSubjectsResponse](ctx, c, http.MethodPost, "/v1/lookup/subjects", req)
}

// Fields asks which field groups of one record a subject may see and change.
func (c *Client) Fields(ctx context.Context, req api.FieldsRequest) (api.FieldsResponse, error) {
	return call[api.FieldsResponse](ctx, c, http.MethodPost, "/v1/fields", req)
}

// Explain asks one question and why.
func (c *Client) Explain(ctx context.Context, req api.CheckRequest) (api.ExplainResponse, error) {
	return call[api.ExplainResponse](ctx, c, http.MethodPost, "/v1/explain", req)
}

// Matrix returns what every role of a workspace may do.
func (c *Client) Matrix(ctx context.Context, workspace string) (api.Matrix, error) {
	return call[api.Matrix](ctx, c, http.MethodGet, "/v1/workspaces/"+url.PathEscape(workspace)+"/matrix", nil)
}

// BreakGlass reads one page of practice ws's emergency openings that q
// asks for (its zero values: every opening, the first page, the default
// limit).
func (c *Client) BreakGlass(ctx context.Context, ws string, q api.BreakGlassQuery) (api.BreakGlassPage, error) {
	path := listPath(ws, "break-glass", map[string]string{"state": q.State, "user": q.User, "client": q.Client, "cursor": q.Cursor}, q.Limit)
	return call[api.BreakGlassPage](ctx, c, http.MethodGet, path, nil)
}

// AccessRequests reads one page of practice ws's requests for access that
// q asks for (its zero values: every request, the first page, the default
// limit).
func (c *Client) AccessRequests(ctx context.Context, ws string, q api.AccessRequestQuery) (api.AccessRequestPage, error) {
	path := listPath(ws, "access-requests", map[string]string{"state": q.State, "user": q.User, "cursor": q.Cursor}, q.Limit)
	return call[api.AccessRequestPage](ctx, c, http.MethodGet, path, nil)
}

// Delegations reads one page of practice ws's delegations that q asks for
// (its zero values: every delegation, the first page, the default limit).
func (c *Client) Delegations(ctx context.Context, ws string, q api.DelegationQuery) (api.DelegationPage, error) {
	path := listPath(ws, "delegations", map[string]string{"state": q.State, "user": q.User, "cursor": q.Cursor}, q.Limit)
	return call[api.DelegationPage](ctx, c, http.MethodGet, path, nil)
}

// AccessReview reads one page of practice ws's access review that q asks
// for (its zero values: every person, the first page, the default limit).
func (c *Client) AccessReview(ctx context.Context, ws string, q api.AccessReviewQuery) (api.AccessReviewPage, error) {
	due := ""
	if q.Due {
		due = "true"
	}
	path := listPath(ws, "access-review", map[string]string{"user": q.User, "due": due, "actor": q.Actor, "cursor": q.Cursor}, q.Limit)
	return call[api.AccessReviewPage](ctx, c, http.MethodGet, path, nil)
}

// listPath is the path of practice ws's list, with the params given and
// the limit (when above 0).
func listPath(ws, list string, params map[string]string, limit int) string {
	v := url.Values{}
	for k, s := range params {
		if s != "" {
			v.Set(k, s)
		}
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/workspaces/" + url.PathEscape(ws) + "/" + list
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	return path
}

// Schema returns Ward's schema and whether SpiceDB holds it.
func (c *Client) Schema(ctx context.Context) (api.SchemaResponse, error) {
	return call[api.SchemaResponse](ctx, c, http.MethodGet, "/v1/schema", nil)
}

// Ready reports whether Ward is ready to answer.
func (c *Client) Ready(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/readyz", nil, nil)
}

// Healthy reports whether Ward's process is up.
func (c *Client) Healthy(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil)
}
