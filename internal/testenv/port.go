package testenv

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// portSpan is how many ports below the ephemeral range FreePort draws from.
const portSpan = 8000

var portSeq atomic.Int64

// FreePort returns a loopback TCP port that is free now, for a server that must
// be told its port before it binds it: a container, or `ward serve --addr`.
//
// It picks below the kernel's ephemeral range, where neither outgoing
// connections nor listeners on port 0 are given ports, and never hands out the
// same port twice in one process. A port freed from the ephemeral range can be
// taken by any new connection in the second or so before the server binds it,
// and with tests running in parallel one was (a CI run failed on it).
func FreePort(t testing.TB) string {
	t.Helper()
	low := ephemeralLow()
	start := portStart()
	for range portSpan {
		port := low - portSpan + int((start+portSeq.Add(1))%portSpan)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		_ = ln.Close()
		return strconv.Itoa(port)
	}
	t.Fatalf("no free loopback port in %d-%d", low-portSpan, low-1)
	return ""
}

// portStart spreads test binaries that draw at the same time over the span.
func portStart() int64 { return int64(os.Getpid()*7919) % portSpan }

// ephemeralLow is the first port of the kernel's ephemeral range, or 32768
// (Linux's default, below other systems' 49152) where that cannot be read.
func ephemeralLow() int {
	const fallback = 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return fallback
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return fallback
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil || low <= portSpan+1024 {
		return fallback
	}
	return low
}
