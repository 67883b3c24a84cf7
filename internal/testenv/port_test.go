package testenv

import (
	"net"
	"strconv"
	"testing"
)

// TestFreePort: every port is below the ephemeral range, bindable, and new.
func TestFreePort(t *testing.T) {
	low := ephemeralLow()
	seen := map[string]bool{}
	for range 200 {
		port := FreePort(t)
		n, err := strconv.Atoi(port)
		if err != nil || n < low-portSpan || n >= low {
			t.Fatalf("port %q outside %d-%d", port, low-portSpan, low-1)
		}
		if seen[port] {
			t.Fatalf("port %s handed out twice", port)
		}
		seen[port] = true
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			t.Fatalf("port %s is not free: %v", port, err)
		}
		_ = ln.Close()
	}
}

// TestFreePortSkipsATakenPort holds the port FreePort would try next.
func TestFreePortSkipsATakenPort(t *testing.T) {
	var held net.Listener
	for held == nil {
		next := ephemeralLow() - portSpan + int((portStart()+portSeq.Load()+1)%portSpan)
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(next))
		if err != nil {
			portSeq.Add(1) // taken by someone else already: try the one after
			continue
		}
		held = ln
	}
	defer held.Close()
	_, taken, _ := net.SplitHostPort(held.Addr().String())
	if got := FreePort(t); got == taken {
		t.Fatalf("FreePort returned %s, which is held", got)
	}
}
