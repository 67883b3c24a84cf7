package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers that branch on it (the HTTP layer maps
// codes to statuses).
type Code string

const (
	// CodeInvalid: the request is malformed or names something that does not exist.
	CodeInvalid Code = "invalid"
	// CodeConflict: the request is well formed but the practice's current state forbids it.
	CodeConflict Code = "conflict"
	// CodeNotFound: no such endpoint.
	CodeNotFound Code = "not_found"
	// CodeUnauthorized: the caller did not present a valid API key.
	CodeUnauthorized Code = "unauthorized"
	// CodeForbidden: the request came from a place Ward does not serve: a
	// Host it is not reached by, or a browser Origin it does not allow.
	CodeForbidden Code = "forbidden"
	// CodeMethodNotAllowed: the endpoint exists, but not for this HTTP method.
	CodeMethodNotAllowed Code = "method_not_allowed"
	// CodeTooLarge: the request is over one of Ward's limits (body size, events,
	// relationship changes); nothing was written, split it.
	CodeTooLarge Code = "too_large"
	// CodeUnsupportedMediaType: the body is not sent as application/json, or in
	// an encoding Ward does not read.
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	// CodeBusy: Ward is at its limit of requests in flight; nothing was done,
	// retry after the time the answer gives.
	CodeBusy Code = "busy"
	// CodeNotYet: the request names a revision (ZedToken) SpiceDB has not
	// reached yet; retry shortly with the same token.
	CodeNotYet Code = "not_yet"
	// CodeUnavailable: SpiceDB could not be reached or did not answer in time.
	CodeUnavailable Code = "unavailable"
	// CodeInternal: a fault in Ward or SpiceDB that the caller cannot fix.
	CodeInternal Code = "internal"
	// CodeRateLimited: an API key is over its rate; retry after the time the
	// answer gives.
	CodeRateLimited Code = "rate_limited"
)

// Error is Ward's error: a code, a message for people, and where the input was
// wrong (the index of the event and the name of the field), when it was.
type Error struct {
	Code    Code
	Message string
	// Index is the position of the offending event or check in the request, or -1.
	Index int
	// Field is the offending field, or "".
	Field string
	// Err is the underlying cause; it is logged, never shown to callers.
	Err error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = fmt.Sprintf("%s: %s", e.Field, msg)
	}
	if e.Index >= 0 {
		msg = fmt.Sprintf("event %d: %s", e.Index, msg)
	}
	if e.Err != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.Err)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an error with no index or field.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Index: -1}
}

// fieldErr builds an error about one field of one event.
func fieldErr(code Code, index int, field, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Index: index, Field: field}
}

// Cancelled is the error of operation op, which the caller cancelled, or
// whose time ran out, before SpiceDB answered; cause is kept for the logs.
func Cancelled(op string, cause error) *Error {
	return &Error{Code: CodeUnavailable, Index: -1, Message: op + ": the request was cancelled or timed out before SpiceDB answered; retry", Err: cause}
}

// ErrorCode returns the code of err, or CodeInternal when err is not a Ward error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
