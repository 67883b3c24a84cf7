package server

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// pipeListener hands out in-memory connections, one per dial, and counts
// the Accept calls that took one.
type pipeListener struct {
	conns    chan net.Conn
	closed   chan struct{}
	accepted atomic.Int32
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn, 16), closed: make(chan struct{})}
}

// dial connects a caller; its connection waits until it is accepted.
func (l *pipeListener) dial() net.Conn {
	caller, ward := net.Pipe()
	l.conns <- ward
	return caller
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		l.accepted.Add(1)
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error   { close(l.closed); return nil }
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{} }

// TestLimitListener: past the cap, a connection is not accepted (it waits
// where it holds no descriptor of Ward's) until one of those open closes.
func TestLimitListener(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := newPipeListener()
		ln := newLimitListener(inner, 2, 1) // pipes have no IP address: not counted by address
		accepted := make(chan net.Conn, 16)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					close(accepted)
					return
				}
				accepted <- c
			}
		}()
		for range 3 {
			defer inner.dial().Close()
		}
		synctest.Wait()
		if n := inner.accepted.Load(); n != 2 || ln.open() != 2 {
			t.Fatalf("%d connections accepted, %d open; the cap is 2", n, ln.open())
		}
		first := <-accepted
		first.Close()
		first.Close() // closing twice frees one slot, not two
		synctest.Wait()
		if n := inner.accepted.Load(); n != 3 || ln.open() != 2 {
			t.Errorf("after one closed: %d accepted, %d open; want 3 and 2", n, ln.open())
		}
		inner.dial().Close()
		synctest.Wait()
		if n := inner.accepted.Load(); n != 3 {
			t.Errorf("a fourth connection was accepted while two were open")
		}
		ln.Close()
		for range accepted { // ends once Accept returns: a closed listener does not wait for a slot
		}
	})
}

// TestOneAddressHoldsAtMostItsShare: past --max-connections-per-address, a
// connection from that address is closed as it is accepted (its caller reads
// EOF) while the address's others stay open, and it takes no slot; one
// closing makes room for the next.
func TestOneAddressHoldsAtMostItsShare(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newLimitListener(tcp, 4, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", tcp.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first, second := dial(), dial()
	defer second.Close()
	held := []net.Conn{<-accepted, <-accepted}
	defer held[1].Close()
	third := dial()
	defer third.Close()
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := third.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("a third connection from one address: read %v, want it closed", err)
	}
	ln.mu.Lock()
	held2 := ln.byAddr[netip.MustParseAddr("127.0.0.1")]
	ln.mu.Unlock()
	if held2 != 2 || ln.refused.Load() != 1 {
		t.Fatalf("the address holds %d, %d refused; want 2 and 1", held2, ln.refused.Load())
	}
	first.Close()
	held[0].Close()
	fourth := dial()
	defer fourth.Close()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("after one closed, the next connection from the address was not accepted")
	}
}
