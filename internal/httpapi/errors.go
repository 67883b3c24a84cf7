package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/domain"
)

// maxMessage bounds an error message: messages quote what was wrong, and a
// caller's 60 KB ID is not sent back whole.
const maxMessage = 1024

// statusOf maps domain error codes to HTTP statuses.
var statusOf = map[domain.Code]int{
	domain.CodeInvalid:              http.StatusBadRequest,
	domain.CodeConflict:             http.StatusConflict,
	domain.CodeNotFound:             http.StatusNotFound,
	domain.CodeUnauthorized:         http.StatusUnauthorized,
	domain.CodeForbidden:            http.StatusForbidden,
	domain.CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	domain.CodeTooLarge:             http.StatusRequestEntityTooLarge,
	domain.CodeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	domain.CodeBusy:                 http.StatusServiceUnavailable,
	domain.CodeNotYet:               http.StatusServiceUnavailable,
	domain.CodeUnavailable:          http.StatusServiceUnavailable,
	domain.CodeInternal:             http.StatusInternalServerError,
	domain.CodeRateLimited:          http.StatusTooManyRequests,
}

// errorBody turns err into what callers see: internal causes stay in the logs.
func errorBody(err error) (int, api.ErrorBody) {
	var e *domain.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError, api.ErrorBody{Code: domain.CodeInternal, Message: "internal error; see Ward's logs"}
	}
	// The field is cut too: it can be a key the caller sent, as long as the body.
	body := api.ErrorBody{Code: e.Code, Message: clip(e.Message), Field: clip(e.Field)}
	if e.Index >= 0 {
		idx := e.Index
		body.Index = &idx
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, body
}

// clip cuts m to maxMessage bytes, at a character's start, saying how much
// was cut.
func clip(m string) string {
	if len(m) <= maxMessage {
		return m
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(m[cut]) {
		cut--
	}
	return m[:cut] + fmt.Sprintf("... (%d more bytes not shown)", len(m)-cut)
}
