package pgadmin

import (
	"context"
	"strings"
	"testing"
)

// TestErrorsHidePasswords: a server that cannot be reached is reported by
// its address, never with the URI's password.
func TestErrorsHidePasswords(t *testing.T) {
	_, _, err := CreateDatabase(context.Background(), "postgres://admin:s3cret@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2", "ward_test")
	if err == nil {
		t.Fatal("created a database on a port nothing listens on")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error %q: want the address and no password", err)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://admin:s3cret@db:5432/x", "postgres://admin:xxxxx@db:5432/x"},
		{"postgres://db:5432/x", "postgres://db:5432/x"},
		{"postgres://a b:%zz@db/x", "(unparseable URI)"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
