package e2e

import "os"

// Images, overridable so users with a registry run the official SpiceDB image.
func spicedbImage() string { return env("WARD_E2E_SPICEDB_IMAGE", "authzed/spicedb:v1.57.1") }

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
