package httpapi

import (
	"errors"
	"github.com/wardhq/ward/api"
	"net/http"

	"github.com/wardhq/ward/internal/domain"
)

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
	body := api.ErrorBody{Code: e.Code, Message: e.Message, Field: e.Field}
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
