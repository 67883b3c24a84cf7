package e2e

import "os"

// Images, overridable so users with a registry run the official SpiceDB image.
func spicedbImage() string { return env("WARD_E2E_SPICEDB_IMAGE", "authzed/spicedb:v1.57.1") }

// postgresImage is the PostgreSQL image the compose files run here: no
// registry is reachable, so e2e/images/build.sh builds one from Debian's
// packages; POSTGRES_IMAGE overrides it.
func postgresImage() string { return env("POSTGRES_IMAGE", "ward-postgres:local") }

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
