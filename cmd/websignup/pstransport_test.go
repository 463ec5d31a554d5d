package main

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"websignup/internal/fasttransport"
)

// TestPSTransportHonoursProxy: PortaSwitch calls go through fasthttp's
// client, unless the environment sends them through a proxy, which only
// net/http's transport does.
func TestPSTransportHonoursProxy(t *testing.T) {
	noProxy := func(*http.Request) (*url.URL, error) { return nil, nil }
	proxy := func(r *http.Request) (*url.URL, error) {
		if r.URL.Host == "ps.internal:443" || r.URL.Host == "ps.internal" {
			return url.Parse("http://proxy.internal:3128")
		}
		return nil, nil
	}
	broken := func(*http.Request) (*url.URL, error) { return nil, errors.New("bad HTTPS_PROXY") }
	for _, tc := range []struct {
		name, url string
		proxy     func(*http.Request) (*url.URL, error)
		fast      bool
	}{
		{"no proxy", "https://ps.internal", noProxy, true},
		{"in-process simulator", "", proxy, true},
		{"proxied", "https://ps.internal", proxy, false},
		{"another host", "https://other.internal", proxy, true},
		{"broken proxy setting", "https://ps.internal", broken, false},
	} {
		_, fast := psTransport(tc.url, tc.proxy).(*fasttransport.Transport)
		if fast != tc.fast {
			t.Errorf("%s: fasthttp %v, want %v", tc.name, fast, tc.fast)
		}
	}
}
