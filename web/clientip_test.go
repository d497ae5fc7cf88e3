package web

import (
	"net/http/httptest"
	"testing"
)

func TestForwardedFor(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer string
		xff        []string
		want       string // "" means the peer stays
	}{
		{"direct, no header", "203.0.113.5:4000", nil, ""},
		{"untrusted peer forging", "203.0.113.5:4000", []string{"1.2.3.4"}, ""},
		{"one proxy", "127.0.0.1:5000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"client prepends a lie", "127.0.0.1:5000", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"two trusted hops", "10.1.2.3:80", []string{"198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"several headers", "127.0.0.1:5000", []string{"6.6.6.6", "198.51.100.8"}, "198.51.100.8"},
		{"garbage", "127.0.0.1:5000", []string{"not-an-ip"}, ""},
		{"all trusted", "127.0.0.1:5000", []string{"10.0.0.1"}, ""},
		{"ipv6 client", "127.0.0.1:5000", []string{"2001:db8::1"}, "2001:db8::1"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		ip, ok := forwardedFor(r, trusted)
		got := ""
		if ok {
			got = ip.String()
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/99"); err == nil {
		t.Error("bad prefix accepted")
	}
}
