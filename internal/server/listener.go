package server

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// limitListener holds at most cap(slots) connections open at once. Past
// that, Accept waits for one to close, and new callers wait in the kernel's
// listen backlog, where they hold none of Ward's file descriptors: a flood
// of connections cannot make Ward run out of them ("too many open files"),
// which would fail its calls to SpiceDB and PostgreSQL too.
//
// One address holds at most perAddr of them: a connection past that is
// closed as it is accepted, so that one caller trickling bodies over many
// connections cannot take every slot (other callers and the probes keep
// theirs).
type limitListener struct {
	net.Listener
	slots   chan struct{}
	closed  chan struct{}
	once    sync.Once
	perAddr int
	mu      sync.Mutex
	byAddr  map[netip.Addr]int
	refused atomic.Int64
}

func newLimitListener(l net.Listener, n, perAddr int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n), closed: make(chan struct{}), perAddr: perAddr, byAddr: map[netip.Addr]int{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
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
		addr, counted := l.take(c.RemoteAddr())
		if !counted {
			l.refused.Add(1)
			<-l.slots
			c.Close()
			continue
		}
		return &limitedConn{Conn: c, release: sync.OnceFunc(func() {
			l.give(addr)
			<-l.slots
		})}, nil
	}
}

// take counts a connection from a's address, or reports false when that
// address holds perAddr already. An address that is not IP (a pipe) is
// not counted.
func (l *limitListener) take(a net.Addr) (netip.Addr, bool) {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || l.perAddr <= 0 {
		return netip.Addr{}, true
	}
	addr, _ := netip.AddrFromSlice(tcp.IP)
	addr = addr.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byAddr[addr] >= l.perAddr {
		return netip.Addr{}, false
	}
	l.byAddr[addr]++
	return addr, true
}

func (l *limitListener) give(addr netip.Addr) {
	if !addr.IsValid() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byAddr[addr]--; l.byAddr[addr] <= 0 {
		delete(l.byAddr, addr)
	}
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
