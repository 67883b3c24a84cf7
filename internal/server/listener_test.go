package server

import (
	"net"
	"sync/atomic"
	"testing"
	"testing/synctest"
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
		ln := newLimitListener(inner, 2)
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
