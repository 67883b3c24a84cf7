package apikeys

import "time"

// Info describes one key without its secret.
type Info struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	// Account is the service account's ID.
	Account string `json:"account"`
	// ExpiresAt is when the key stops by itself; null: never.
	ExpiresAt *time.Time `json:"expires_at"`
}

// Issued is a key just made: Key, its secret, is shown this once.
type Issued struct {
	Info
	Key string `json:"key"`
}

// Identity is who a key authenticates.
type Identity struct {
	// Subject is "service_account:ID", checked like staff.
	Subject   string `json:"subject"`
	Workspace string `json:"workspace"`
	// KeyID names the key (its rate limit and usage are per key).
	KeyID string `json:"key_id"`
}
