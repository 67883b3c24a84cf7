package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/wardhq/ward/internal/domain"
)

// Deadlines are set per request through http.ResponseController rather than
// as http.Server's ReadTimeout and WriteTimeout: a streamed answer must renew
// its write deadline as it goes, and a read deadline left running after the
// body was read would cancel the request's context mid-call when it passed.

// setDeadlines bounds a request before anything else: receiving its body
// (when it has one; a bodiless request is already being watched for its
// caller going away, which a read deadline would cut short), and writing its
// answer (an endpoint moves this to its own limit). A handler that never
// reads the body is bounded too: the server reads what is left of it before
// answering.
func (a *service) setDeadlines(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	now := time.Now()
	if r.ContentLength != 0 {
		_ = rc.SetReadDeadline(now.Add(a.cfg.ReadTimeout))
	}
	_ = rc.SetWriteDeadline(now.Add(a.cfg.RequestTimeout + a.cfg.WriteTimeout))
}

// armBodyDeadline gives the body ReadTimeout from now on, once the request
// is about to read it (an import may have waited for its turn).
func (a *service) armBodyDeadline(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(a.cfg.ReadTimeout))
}

// bodyDone lifts the read deadline once the body is read to its end: the
// server then watches the connection for the caller going away, and that
// watch must not time out while the call works.
func (a *service) bodyDone(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
}

// enterCall takes what a call needs before it is served, or answers busy at
// once. A body of at most a question's size (a check, a lookup, explain) is
// received first (receiveSmall), before the call takes a place: a caller
// that sends its body slowly, or never, holds a connection (--max-connections
// bound those, and what each holds is this small), never one of MaxInFlight
// places, so idle callers cannot shut out everyone else's checks. A larger
// body first takes one of the places kept for large bodies (an eighth of
// MaxInFlight, at least one), held until the call ends: callers trickling
// large bodies hold at most that many places, and memory holds at most that
// many large bodies while they are decoded.
func (a *service) enterCall(w http.ResponseWriter, r *http.Request) (release func(), err error) {
	small, err := a.receiveSmall(w, r)
	if err != nil {
		return nil, err
	}
	if small || r.ContentLength == 0 {
		return a.enter(w)
	}
	select {
	case a.large <- struct{}{}:
	default:
		w.Header().Set("Retry-After", "1")
		return nil, domain.Errorf(domain.CodeBusy, "Ward is serving %d calls with bodies over %s, its limit (an eighth of --max-in-flight): nothing was done; retry after the time in Retry-After, or send smaller requests", cap(a.large), bytesOf(a.limits.question.bytes))
	}
	done, err := a.enter(w)
	if err != nil {
		<-a.large
		return nil, err
	}
	return func() { done(); <-a.large }, nil
}

// receiveSmall reads r's body whole when it is at most a question's size,
// declared so or (of unknown length, chunked) found so, and leaves it in r to
// be read again; small reports that it did. Of a larger body of unknown
// length, what it read is put back in front of the rest.
func (a *service) receiveSmall(w http.ResponseWriter, r *http.Request) (small bool, err error) {
	if r.ContentLength == 0 || r.ContentLength > a.limits.question.bytes {
		return false, nil
	}
	a.armBodyDeadline(w)
	head, err := io.ReadAll(io.LimitReader(r.Body, a.limits.question.bytes+1))
	if err != nil {
		return false, a.readError(r, a.limits.question, err)
	}
	if int64(len(head)) > a.limits.question.bytes {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
		return false, nil
	}
	a.bodyDone(w)
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(head)), int64(len(head))
	return true, nil
}

// enter takes one of MaxInFlight places for a call, or answers busy at once:
// a caller told to come back in a second costs less than one left waiting.
func (a *service) enter(w http.ResponseWriter) (release func(), err error) {
	select {
	case a.inFlight <- struct{}{}:
		return func() { <-a.inFlight }, nil
	default:
		w.Header().Set("Retry-After", "1")
		return nil, domain.Errorf(domain.CodeBusy, "Ward is serving %d calls, its limit (--max-in-flight): nothing was done; retry after the time in Retry-After", a.cfg.MaxInFlight)
	}
}

// importTurn waits, up to ImportWait, for the import in progress to end:
// imports run one at a time, so that memory holds one import's events, not
// several.
func (a *service) importTurn(ctx context.Context, w http.ResponseWriter) (release func(), err error) {
	wait := time.NewTimer(a.cfg.ImportWait)
	defer wait.Stop()
	select {
	case a.importing <- struct{}{}:
		return func() { <-a.importing }, nil
	case <-wait.C:
	case <-ctx.Done():
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(max(a.cfg.ImportWait.Round(time.Second)/time.Second, 1))))
	return nil, domain.Errorf(domain.CodeBusy, "another import is in progress and imports run one at a time: nothing was done; retry after the time in Retry-After")
}

// renewingWriter renews the connection's write deadline before writes, so
// that each write of a long answer, not the whole answer, must finish within
// the deadline: a caller that stops reading is cut off, and one that reads
// is not. It renews once half the time is used, not at every line.
type renewingWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	each  time.Duration
	until time.Time
}

func newRenewingWriter(w http.ResponseWriter, each time.Duration) *renewingWriter {
	return &renewingWriter{w: w, rc: http.NewResponseController(w), each: each}
}

func (rw *renewingWriter) renew() {
	if now := time.Now(); rw.until.Sub(now) < rw.each/2 {
		rw.until = now.Add(rw.each)
		_ = rw.rc.SetWriteDeadline(rw.until)
	}
}

func (rw *renewingWriter) Write(p []byte) (int, error) {
	rw.renew()
	return rw.w.Write(p)
}

func (rw *renewingWriter) Flush() error {
	rw.renew()
	return rw.rc.Flush()
}

// errOverTime is the cause of a call's context ending at its time limit.
var errOverTime = errors.New("the call's time limit passed")

// overTime reports whether ctx ended at the call's time limit.
func overTime(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errOverTime)
}

// overTimeError says which limit a call ran past; err, its own failure, is
// kept for the logs.
func overTimeError(limit time.Duration, flag string, err error) error {
	return &domain.Error{Code: domain.CodeUnavailable, Index: -1, Err: err,
		Message: fmt.Sprintf("the call took longer than %s, Ward's limit (%s): retry, or ask for less at once", limit, flag)}
}
