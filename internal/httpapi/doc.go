// Package httpapi is Ward's HTTP/JSON API: an http.Handler built from an
// Authorizer (the SpiceDB adapter) and its configuration. Routes live in
// routes.go; domain error codes map to HTTP statuses in one table in errors.go.
package httpapi
