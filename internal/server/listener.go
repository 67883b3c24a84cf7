package server

import (
	"net"
	"sync"
)

// limitListener holds at most cap(slots) connections open at once. Past
// that, Accept waits for one to close, and new callers wait in the kernel's
// listen backlog, where they hold none of Ward's file descriptors: a flood
// of connections cannot make Ward run out of them ("too many open files"),
// which would fail its calls to SpiceDB and PostgreSQL too.
type limitListener struct {
	net.Listener
	slots  chan struct{}
	closed chan struct{}
	once   sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n), closed: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// open is how many connections are open.
func (l *limitListener) open() int { return len(l.slots) }

// limitedConn gives its slot back when closed (once, however often closed).
type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
