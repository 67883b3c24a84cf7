package server

import (
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/spicedb"
)

// TestHostsFor: Ward answers to the address it is bound to, to every IP
// address when bound to all of them (containers, where `ward health` calls
// 127.0.0.1 and other containers call its address), and to the names
// configured; never to an unknown name.
func TestHostsFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr    string
		allowed []string
		host    string
		want    bool
	}{
		{"127.0.0.1:8080", nil, "127.0.0.1:8080", true},
		{"127.0.0.1:8080", nil, "localhost:8080", true},
		{"127.0.0.1:8080", nil, "[::1]:8080", true},
		{"127.0.0.1:8080", nil, "attacker.example:8080", false},
		{"127.0.0.1:8080", nil, "192.168.1.10:8080", false},
		{"0.0.0.0:8080", nil, "127.0.0.1:8080", true},
		{"0.0.0.0:8080", nil, "172.17.0.3:8080", true},
		{"0.0.0.0:8080", nil, "ward:8080", false},
		{"0.0.0.0:8080", []string{"ward"}, "ward:8080", true},
		{"[::]:8080", nil, "[fd00::5]:8080", true},
		{":8080", nil, "10.1.2.3:8080", true},
		{"10.1.2.3:8080", nil, "10.1.2.3:8080", true},
		{"10.1.2.3:8080", nil, "10.1.2.4:8080", false},
		{"10.1.2.3:8080", []string{"ward.internal:443"}, "ward.internal", true},
		{"ward.internal:8080", nil, "ward.internal:8080", true},
	}
	for _, tt := range tests {
		if got := HostsFor(tt.addr, tt.allowed).Serves(tt.host); got != tt.want {
			t.Errorf("bound to %s, allowed %v: serves %q = %v, want %v", tt.addr, tt.allowed, tt.host, got, tt.want)
		}
	}
}

func TestValidateHostsAndOrigins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Addr: "127.0.0.1:0", AllowedHosts: []string{"ward", "10.0.0.5:8080"}, CORSOrigins: []string{"https://admin.example.com"}}, ""},
		{Config{Addr: "127.0.0.1:0", AllowedHosts: []string{"*"}}, `--allowed-hosts "*"`},
		{Config{Addr: "127.0.0.1:0", AllowedHosts: []string{"https://ward/"}}, "--allowed-hosts"},
		{Config{Addr: "127.0.0.1:0", AllowedHosts: []string{""}}, "--allowed-hosts"},
		{Config{Addr: "127.0.0.1:0", CORSOrigins: []string{"*"}}, "--cors-origins"},
		{Config{Addr: "127.0.0.1:0", CORSOrigins: []string{"admin.example.com"}}, "scheme://host[:port]"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

func TestCursorKeys(t *testing.T) {
	t.Parallel()
	pg := func(uri string) Config { return Config{Datastore: "postgres", DatastoreURI: uri} }
	ext := func(token string) Config {
		return Config{SpiceDB: spicedb.ExternalConfig{Endpoint: "spicedb:50051", Token: token}}
	}
	if key, _ := cursorKey(Config{Datastore: "memory"}); key != nil {
		t.Error("in memory the key is not derived (random per process)")
	}
	for _, c := range []struct {
		name string
		a, b Config
		same bool
	}{
		{"instances with one preshared key", ext("k1"), ext("k1"), true},
		{"another preshared key", ext("k1"), ext("k2"), false},
		{"one PostgreSQL URI", pg("postgres://u:p@db/ward"), pg("postgres://u:p@db/ward"), true},
		{"a given key wins over the URI", Config{Datastore: "postgres", DatastoreURI: "postgres://u@db/ward", CursorKey: "0123456789abcdef"}, pg("postgres://u@db/ward"), false},
	} {
		a, _ := cursorKey(c.a)
		b, _ := cursorKey(c.b)
		if got := string(a) == string(b); got != c.same {
			t.Errorf("%s: same key %v, want %v", c.name, got, c.same)
		}
	}
	for uri, want := range map[string]bool{
		"postgres://u:secret@db/ward":          true,
		"postgres://u@db/ward?password=secret": true,
		"postgres://u@db/ward":                 false,
		"host=db user=u password=secret":       true,
		"host=db user=u":                       false,
	} {
		if holdsPassword(uri) != want {
			t.Errorf("holdsPassword(%q) = %v, want %v", uri, !want, want)
		}
	}
}
