package httpapi

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wardhq/ward/internal/domain"
)

// Hosts are the Host headers Ward answers. A web page that rebinds its own
// name to Ward's address (DNS rebinding) reaches Ward with that name as its
// Host, so only names Ward is known by are served. localhost and loopback
// addresses are always served, and ports are not compared: a port mapping
// (docker -p, kubectl port-forward, an SSH tunnel) changes the port callers
// see, while a page cannot make a browser send a name it does not own.
type Hosts struct {
	// Names are host names or IP addresses (a port, if any, is ignored).
	Names []string
	// AnyIP serves every Host that is an IP address, for a Ward listening on
	// all addresses (0.0.0.0 or ::): no DNS answer can make a browser send an
	// IP address as the Host, so an address cannot be rebound.
	AnyIP bool
}

// Serves reports whether a request with Host hostport is answered.
func (h Hosts) Serves(hostport string) bool {
	host := HostName(hostport)
	if host == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if ip.IsLoopback() || h.AnyIP {
			return true
		}
		return slices.ContainsFunc(h.Names, func(n string) bool {
			a, err := netip.ParseAddr(HostName(n))
			return err == nil && a.Unmap() == ip
		})
	}
	return slices.ContainsFunc(h.Names, func(n string) bool { return HostName(n) == host })
}

// String lists what is served, for people.
func (h Hosts) String() string {
	served := []string{"localhost", "loopback addresses"}
	if h.AnyIP {
		served = append(served, "any IP address")
	}
	for _, n := range h.Names {
		served = append(served, HostName(n))
	}
	return strings.Join(served, ", ")
}

// HostName is the host of a Host header or of an --allowed-hosts entry,
// lowercase and without port, brackets or a final dot.
func HostName(hostport string) string {
	host := strings.ToLower(strings.TrimSpace(hostport))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimSuffix(host, ".")
}

// ParseOrigin checks a browser origin for --cors-origins and returns it as
// browsers send it: scheme://host[:port], lowercase, without a default port.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case strings.Contains(s, "*"):
		return "", errors.New("'*' would let every web page call Ward: list each origin by name")
	case err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/"):
		return "", fmt.Errorf("%q is not an origin: write scheme://host[:port], e.g. https://admin.example.com", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q: an origin's scheme is http or https", s)
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && !(u.Scheme == "http" && port == "80") && !(u.Scheme == "https" && port == "443") {
		host += ":" + port
	}
	return strings.ToLower(u.Scheme) + "://" + host, nil
}

// probes are the paths that answer whatever Host a probe or scraper sends
// (a pod's IP, a service name): they reveal nothing and change nothing.
var probes = []string{"/healthz", "/readyz", "/metrics"}

// corsMaxAge is how long (seconds) a browser may reuse a preflight's answer.
const corsMaxAge = 600

// admit refuses requests from where Ward is not served: a Host it is not
// known by, or a browser page of an origin not configured. Answers to
// configured origins carry the CORS headers that let the page read them.
func (a *service) admit(w http.ResponseWriter, r *http.Request) error {
	if !slices.Contains(probes, r.URL.Path) && !a.cfg.Hosts.Serves(r.Host) {
		return domain.Errorf(domain.CodeForbidden, "Host %q is not a name Ward is served at (it serves %s): to call Ward by this name, add it with --allowed-hosts (WARD_ALLOWED_HOSTS)", r.Host, a.cfg.Hosts)
	}
	h := w.Header()
	if len(a.origins) > 0 {
		h.Add("Vary", "Origin")
	}
	origins := r.Header.Values("Origin")
	switch {
	case len(origins) > 1:
		// one allowed and one not would be judged by whichever came first
		return domain.Errorf(domain.CodeInvalid, "%d Origin headers: a browser sends one; send the request with one Origin header, or none", len(origins))
	case len(origins) == 0 || origins[0] == "":
		return nil
	}
	origin := origins[0]
	if !slices.Contains(a.origins, strings.ToLower(origin)) {
		return domain.Errorf(domain.CodeForbidden, "Origin %q: Ward answers web pages only from the origins listed with --cors-origins (WARD_CORS_ORIGINS); add this one there if its pages should call Ward", origin)
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Allow, Retry-After")
	return nil
}

// handleOptions answers OPTIONS, and a browser's preflight for a configured
// origin (admit has checked it): which methods and headers it may send.
func (a *service) handleOptions(w http.ResponseWriter, r *http.Request) error {
	allow := allowed(a.mux, r)
	if len(allow) == 0 {
		return domain.Errorf(domain.CodeNotFound, "no such endpoint: see docs/openapi.yaml for Ward's API")
	}
	h := w.Header()
	h.Set("Allow", strings.Join(allow, ", "))
	if r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", strings.Join(allow, ", "))
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
