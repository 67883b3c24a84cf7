package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/wardhq/ward/internal/domain"
)

// Bodies are bounded per endpoint, by what the largest real request needs, so
// that memory is bounded by these caps and not by what a body asks for.
const (
	// questionBodyBytes bounds one question (check, explain, lookups): a
	// subject, a permission, a resource and a ZedToken take a few hundred bytes.
	questionBodyBytes = 64 << 10
	// bulkBodyBytes bounds a bulk check: 1,000 checks naming 128-character IDs
	// take about 400 KiB.
	bulkBodyBytes = 1 << 20
	// maxStringBytes bounds one string (or key) in a body: Ward's longest
	// values (a lookup's cursor, a reason or note) take a few hundred bytes,
	// and an event body's megabytes in one string would only be copied,
	// several times, as they were refused.
	maxStringBytes = 64 << 10
	// maxDepth bounds how deeply a body nests. Ward's deepest body (an event's
	// grants, per action) nests 5 levels; the bound keeps a hostile "[[[[..."
	// from growing the walk's stack with the body.
	maxDepth = 32
)

// bodyLimit is one endpoint's cap on its body and what a caller over it should do.
type bodyLimit struct {
	bytes int64
	next  string
}

// tooLarge says which limit a body went over, and what to do.
func (l bodyLimit) tooLarge(r *http.Request, size int64) error {
	have := "larger than " + bytesOf(l.bytes)
	if size > 0 {
		have = bytesOf(size)
	}
	return &domain.Error{Code: domain.CodeTooLarge, Index: -1, Field: "body",
		Message: fmt.Sprintf("%s; %s reads at most %s: %s", have, r.Pattern, bytesOf(l.bytes), l.next)}
}

// bytesOf writes a size as people read it: 8 MiB, 64 KiB, 1234 bytes.
func bytesOf(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// tooLong says that a string (or key, when key) of n bytes is over
// maxStringBytes, or "" when it is not.
func tooLong(n int, key bool) string {
	switch {
	case n <= maxStringBytes:
		return ""
	case key:
		return fmt.Sprintf("a key of %d bytes; Ward's keys are short names: send the documented fields", n)
	}
	return fmt.Sprintf("a string of %d bytes; Ward's values take at most %s: send IDs, names and texts of their documented sizes", n, bytesOf(maxStringBytes))
}

// requireJSON refuses a body that is not sent as JSON, or is compressed.
// Requiring application/json also keeps web pages from writing to Ward with a
// "simple" cross-site request (text/plain, forms), which browsers send without
// asking first.
func requireJSON(r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	for _, v := range r.Header.Values("Content-Encoding") {
		for enc := range strings.SplitSeq(v, ",") {
			if enc = strings.TrimSpace(enc); enc != "" && !strings.EqualFold(enc, "identity") {
				return domain.Errorf(domain.CodeUnsupportedMediaType, "Content-Encoding %q: Ward reads bodies uncompressed; send the body without Content-Encoding", enc)
			}
		}
	}
	if len(r.Header.Values("Content-Type")) > 1 {
		return domain.Errorf(domain.CodeUnsupportedMediaType, "more than one Content-Type header: send one, Content-Type: application/json")
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return domain.Errorf(domain.CodeUnsupportedMediaType, "no Content-Type: send the body as JSON with Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return domain.Errorf(domain.CodeUnsupportedMediaType, "Content-Type %q: send the body as JSON with Content-Type: application/json", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return domain.Errorf(domain.CodeUnsupportedMediaType, "charset %q: Ward reads JSON in UTF-8 only", cs)
	}
	return nil
}

// decode reads a body of at most lim bytes strictly, as T: unknown keys, keys
// in another case than the field's, keys twice in one object, values of the
// wrong kind and trailing data are errors that name the key.
func decode[T any](a *service, w http.ResponseWriter, r *http.Request, lim bodyLimit) (T, error) {
	var v T
	data, err := a.readBody(w, r, lim)
	if err != nil {
		return v, err
	}
	if err := checkJSON(data, reflect.TypeFor[T](), -1); err != nil {
		return v, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, bodyError(err)
	}
	return v, nil
}

// readBody reads the whole body, at most lim bytes, within the read timeout.
func (a *service) readBody(w http.ResponseWriter, r *http.Request, lim bodyLimit) ([]byte, error) {
	if r.ContentLength > lim.bytes {
		return nil, lim.tooLarge(r, r.ContentLength)
	}
	a.armBodyDeadline(w)
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, lim.bytes)); err != nil {
		return nil, a.readError(r, lim, err)
	}
	a.bodyDone(w)
	return buf.Bytes(), nil
}

// readError explains why a body could not be read.
func (a *service) readError(r *http.Request, lim bodyLimit, err error) error {
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return lim.tooLarge(r, 0)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return domain.Errorf(domain.CodeInvalid, "body: not received within %s (--read-timeout): send the whole body with the request, without pausing", a.cfg.ReadTimeout)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.CodeInvalid, "body: shorter than its Content-Length; the connection closed before it all came")
	}
	return &domain.Error{Code: domain.CodeInvalid, Index: -1, Message: "body: could not be read (the connection broke, or its chunked encoding is malformed)", Err: err}
}

// readEvents reads {"events": [...]} one event at a time, straight from the
// connection: the body is held once, as its events, never besides as a whole,
// and reading stops at the first event past most.
func (a *service) readEvents(w http.ResponseWriter, r *http.Request, lim bodyLimit, most int, next string) ([]json.RawMessage, string, error) {
	if r.ContentLength > lim.bytes {
		return nil, "", lim.tooLarge(r, r.ContentLength)
	}
	a.armBodyDeadline(w)
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, lim.bytes))
	fail := func(err error) error {
		if errors.As(err, new(*json.SyntaxError)) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return syntaxError(err)
		}
		return a.readError(r, lim, err)
	}
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, "", domain.Errorf(domain.CodeInvalid, `body: a JSON object is required: {"events": [...]}`)
	} else if err != nil {
		return nil, "", fail(err)
	}
	if tok != json.Delim('{') {
		return nil, "", domain.Errorf(domain.CodeInvalid, `body: must be a JSON object: {"events": [...]}`)
	}
	var raws []json.RawMessage
	var actor string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, "", fail(err)
		}
		key, _ := tok.(string)
		switch {
		case len(key) > maxStringBytes:
			return nil, "", domain.Errorf(domain.CodeInvalid, "body: %s", tooLong(len(key), true))
		case key != "events" && key != "actor":
			return nil, "", unknownField(key, []string{"events", "actor"})
		case seen[key]:
			return nil, "", &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: key, Message: "appears twice in one object: send each key once"}
		}
		seen[key] = true
		if key == "actor" {
			if err := dec.Decode(&actor); err != nil {
				return nil, "", &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: key, Message: `must be a string naming a person, e.g. "user:olivia"`}
			}
			if msg := tooLong(len(actor), false); msg != "" {
				return nil, "", &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: key, Message: msg}
			}
			if err := checkActor(actor); err != nil {
				return nil, "", err
			}
			continue
		}
		if tok, err = dec.Token(); err != nil {
			return nil, "", fail(err)
		}
		if tok == nil {
			continue
		}
		if tok != json.Delim('[') {
			return nil, "", &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: key, Message: "must be a JSON array of events"}
		}
		for i := 0; dec.More(); i++ {
			if i == most {
				return nil, "", &domain.Error{Code: domain.CodeTooLarge, Index: -1, Field: key,
					Message: fmt.Sprintf("more than %d events; %s takes at most %d at once: %s", most, r.Pattern, most, next)}
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, "", fail(err)
			}
			if err := checkJSON(raw, nil, i); err != nil {
				return nil, "", err
			}
			raws = append(raws, raw)
		}
		if _, err := dec.Token(); err != nil {
			return nil, "", fail(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, "", fail(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil || errors.As(err, new(*json.SyntaxError)) {
			return nil, "", domain.Errorf(domain.CodeInvalid, "body: trailing data after the JSON object")
		}
		return nil, "", fail(err)
	}
	a.bodyDone(w)
	return raws, actor, nil
}

// checkActor holds a request's actor to "user:ID", the person on whose
// behalf the app acts.
func checkActor(actor string) error {
	if _, err := domain.ParseSubject(actor); err != nil {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "actor", Message: fmt.Sprintf(`%q: must name a person as "user:ID", e.g. "user:olivia"`, actor)}
	}
	return nil
}

// checkPurpose holds a check's purpose to a short word or code.
func checkPurpose(purpose string) error {
	if purpose == "" || len(purpose) <= 64 && strings.Trim(purpose, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == "" {
		return nil
	}
	return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "purpose", Message: fmt.Sprintf("%q: must be 1-64 letters, digits, '-', '_' or '.', e.g. treatment or emergency", purpose)}
}

// checkJSON walks one JSON document and holds it to t, the Go type it will be
// decoded into (nil: any JSON). encoding/json lets the last of two equal keys
// win silently and matches keys to fields case-insensitively; here both are
// errors. Errors name the key, and the item (event, check) when index >= 0
// or when the body's list of items holds it.
func checkJSON(data []byte, t reflect.Type, index int) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := &walker{dec: dec, index: index}
	if err := w.value(t, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.Errorf(domain.CodeInvalid, "body: trailing data after the JSON object")
	}
	return nil
}

type walker struct {
	dec *json.Decoder
	// index is the item (event, check) being read, or -1.
	index int
	// path holds the keys (and positions in lists) from the item, or from the
	// body, down to the value being read.
	path []string
}

func (w *walker) fail(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if len(w.path) == 0 && w.index < 0 {
		msg = "body: " + msg
	}
	return &domain.Error{Code: domain.CodeInvalid, Index: w.index, Field: strings.Join(w.path, "."), Message: msg}
}

// value reads one value that must fit t.
func (w *walker) value(t reflect.Type, depth int) error {
	if depth > maxDepth {
		return w.fail("nested deeper than %d levels", maxDepth)
	}
	t = shapeOf(t)
	tok, err := w.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) && depth == 0 {
			return domain.Errorf(domain.CodeInvalid, "body: a JSON object is required")
		}
		return syntaxError(err)
	}
	switch tok := tok.(type) {
	case nil:
		return nil // null leaves a field unset, as encoding/json does
	case json.Delim:
		switch {
		case tok == '{' && (t == nil || t.Kind() == reflect.Struct || t.Kind() == reflect.Map):
			return w.object(t, depth)
		case tok == '[' && (t == nil || t.Kind() == reflect.Slice):
			return w.array(t, depth)
		}
	case string:
		if msg := tooLong(len(tok), false); msg != "" {
			return w.fail("%s", msg)
		}
		if t == nil || t.Kind() == reflect.String {
			return nil
		}
	case bool:
		if t == nil || t.Kind() == reflect.Bool {
			return nil
		}
	case json.Number:
		if t == nil || fitsNumber(tok, t) {
			return nil
		}
	}
	return w.fail("must be %s", describe(t))
}

func (w *walker) object(t reflect.Type, depth int) error {
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		key := tok.(string)
		if msg := tooLong(len(key), true); msg != "" {
			return w.fail("%s", msg)
		}
		if seen[key] {
			w.path = append(w.path, key)
			return w.fail("appears twice in one object: send each key once")
		}
		seen[key] = true
		var elem reflect.Type
		switch {
		case t == nil:
		case t.Kind() == reflect.Map:
			elem = t.Elem()
		default:
			fields := fieldsOf(t)
			i := slices.IndexFunc(fields, func(f field) bool { return f.name == key })
			if i < 0 {
				err := unknownField(key, names(fields))
				if e, ok := err.(*domain.Error); ok {
					e.Index, e.Field = w.index, strings.Join(append(w.path, key), ".")
				}
				return err
			}
			elem = fields[i].typ
		}
		w.path = append(w.path, key)
		if err := w.value(elem, depth+1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
	}
	_, err := w.dec.Token()
	return syntaxErrorOrNil(err)
}

func (w *walker) array(t reflect.Type, depth int) error {
	var elem reflect.Type
	if t != nil {
		elem = t.Elem()
	}
	// The lists at the top of a body (events, checks) are lists of items:
	// errors inside one give its index, and keys from the item down.
	items := depth == 1 && w.index < 0
	outer := w.path
	for i := 0; w.dec.More(); i++ {
		if items {
			w.index, w.path = i, nil
		} else {
			w.path = append(outer, strconv.Itoa(i))
		}
		if err := w.value(elem, depth+1); err != nil {
			return err
		}
	}
	if items {
		w.index = -1
	}
	w.path = outer
	_, err := w.dec.Token()
	return syntaxErrorOrNil(err)
}

// unknownField refuses a key that is not one of fields, pointing out the
// field it differs from only in case.
func unknownField(key string, fields []string) error {
	e := &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: key}
	if i := slices.IndexFunc(fields, func(f string) bool { return strings.EqualFold(f, key) }); i >= 0 {
		e.Message = fmt.Sprintf("is not a field of this request: keys are case-sensitive; did you mean %q?", fields[i])
	} else {
		e.Message = fmt.Sprintf("is not a field of this request (its fields: %s)", strings.Join(fields, ", "))
	}
	return e
}

type field struct {
	name string
	typ  reflect.Type
}

var fieldCache sync.Map // reflect.Type -> []field

// fieldsOf lists the JSON fields of a struct type.
func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var fields []field
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		fields = append(fields, field{name, sf.Type})
	}
	fieldCache.Store(t, fields)
	return fields
}

func names(fields []field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.name
	}
	return out
}

var rawMessage = reflect.TypeFor[json.RawMessage]()

// shapeOf is the type whose JSON shape a value must have: pointers are
// followed, and raw JSON or interfaces take any JSON (nil).
func shapeOf(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == rawMessage || t.Kind() == reflect.Interface {
		return nil
	}
	return t
}

func fitsNumber(n json.Number, t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err := strconv.ParseInt(n.String(), 10, t.Bits())
		return err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		_, err := strconv.ParseUint(n.String(), 10, t.Bits())
		return err == nil
	case reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// describe says in JSON's words what a value of type t must be, never in Go's.
func describe(t reflect.Type) string {
	t = shapeOf(t)
	if t == nil {
		return "JSON"
	}
	switch t.Kind() {
	case reflect.String:
		return "a JSON string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number (in range)"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a JSON array"
	case reflect.Map:
		return "a JSON object"
	case reflect.Struct:
		return "a JSON object with the fields " + strings.Join(names(fieldsOf(t)), ", ")
	}
	return "JSON"
}

func syntaxError(err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return domain.Errorf(domain.CodeInvalid, "body: not valid JSON at byte %d: %v", syn.Offset, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.CodeInvalid, "body: not valid JSON: it ends early")
	}
	return domain.Errorf(domain.CodeInvalid, "body: not valid JSON: %v", err)
}

func syntaxErrorOrNil(err error) error {
	if err == nil {
		return nil
	}
	return syntaxError(err)
}

// bodyError explains a decoding error that checkJSON let through, in JSON's
// words.
func bodyError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: typeErr.Field, Message: "must be " + describe(typeErr.Type), Err: err}
	}
	return &domain.Error{Code: domain.CodeInvalid, Index: -1, Message: "body: not valid for this request", Err: err}
}
