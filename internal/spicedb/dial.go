package spicedb

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// ExternalConfig describes a SpiceDB cluster Ward connects to.
type ExternalConfig struct {
	// Endpoint is host:port of SpiceDB's gRPC API.
	Endpoint string
	// Token is SpiceDB's preshared key.
	Token string
	// Insecure dials without TLS (a SpiceDB on loopback or inside a private network).
	Insecure bool
	// CACertPath is a PEM bundle to trust instead of the system's roots.
	CACertPath string
	// SkipVerify accepts any server certificate (testing only).
	SkipVerify bool
}

// Dial connects to an external SpiceDB. The connection is lazy: a SpiceDB that
// is down is noticed by the first call (and by /readyz), and gRPC reconnects by
// itself when it returns.
func Dial(cfg ExternalConfig) (*grpc.ClientConn, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("no SpiceDB endpoint: pass --spicedb-endpoint host:port")
	}
	if cfg.Token == "" {
		return nil, errors.New("no SpiceDB preshared key: pass --spicedb-token (or WARD_SPICEDB_TOKEN)")
	}
	var transport grpc.DialOption
	if cfg.Insecure {
		transport = grpc.WithTransportCredentials(insecure.NewCredentials())
	} else {
		tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.SkipVerify} //nolint:gosec // opt-in for tests
		if cfg.CACertPath != "" {
			pem, err := os.ReadFile(cfg.CACertPath)
			if err != nil {
				return nil, fmt.Errorf("reading SpiceDB CA bundle: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("no certificates in %s", cfg.CACertPath)
			}
			tlsCfg.RootCAs = pool
		}
		transport = grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg))
	}
	conn, err := grpc.NewClient(cfg.Endpoint, transport,
		grpc.WithPerRPCCredentials(bearer{token: cfg.Token, insecure: cfg.Insecure}), receiveLarge)
	if err != nil {
		return nil, fmt.Errorf("connecting to SpiceDB at %s: %w", cfg.Endpoint, err)
	}
	return conn, nil
}
