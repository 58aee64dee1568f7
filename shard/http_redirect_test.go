package shard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tome-data/tome/internal/faultproxy"
)

// TestHTTPRedirects follows redirects between two loopback listeners,
// addressed as two hosts (127.0.0.1 and localhost), and checks which
// headers reach which host.
func TestHTTPRedirects(t *testing.T) {
	checkLeaks(t)
	data := randomBytes(500000, 3)
	obj := faultproxy.NewObject("object.bin", data)
	// The CDN is started last, when the origin's address it redirects
	// back to is known; its own address is known before.
	cdnSrv := httptest.NewUnstartedServer(nil)
	t.Cleanup(cdnSrv.Close)
	cdnURL := "http://" + strings.Replace(cdnSrv.Listener.Addr().String(), "127.0.0.1", "localhost", 1) + "/object.bin"

	mux := http.NewServeMux()
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, cdnURL, http.StatusFound)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/object.bin", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/away-and-back", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(cdnURL, "/object.bin", "/back", 1), http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.Handle("/object.bin", obj)
	originProxy := faultproxy.New(mux)
	originSrv := newServer(t, originProxy)
	// The CDN host sends /back home to the origin.
	cdnMux := http.NewServeMux()
	cdnMux.Handle("/object.bin", obj)
	cdnMux.HandleFunc("/back", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, originSrv.URL+"/object.bin", http.StatusFound)
	})
	cdn := faultproxy.New(cdnMux)
	cdnSrv.Config.Handler = cdn
	cdnSrv.Start()

	client := newTestClient(t)
	opts := HTTPOptions{
		Client:  client,
		Limiter: NewHostLimiter(4),
		Header:  http.Header{"Authorization": {"Bearer secret"}, "User-Agent": {"tome-test"}},
	}
	open := func(t *testing.T, path string) *HTTPSource {
		t.Helper()
		originProxy.Reset()
		cdn.Reset()
		s, err := OpenHTTP(context.Background(), originSrv.URL+path, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		checkRead(t, s, data, 1000, 300000)
		checkRead(t, s, data, 10, 10)
		return s
	}

	t.Run("to another host", func(t *testing.T) {
		open(t, "/elsewhere")
		for _, r := range originProxy.Requests() {
			if r.Authorization != "Bearer secret" {
				t.Errorf("origin request without the token: %+v", r)
			}
			if r.IfMatch != "" {
				t.Errorf("origin request with If-Match (the ETag is the CDN's): %+v", r)
			}
		}
		reqs := cdn.Requests()
		if len(reqs) != 3 {
			t.Fatalf("%d CDN requests, want 3 (open, two reads)", len(reqs))
		}
		for i, r := range reqs {
			if r.Authorization != "" {
				t.Errorf("token sent to another host: %+v", r)
			}
			if r.Range == "" {
				t.Errorf("Range lost in the redirect: %+v", r)
			}
			if i > 0 && r.IfMatch != obj.ETag() {
				t.Errorf("CDN request without If-Match %s: %+v", obj.ETag(), r)
			}
		}
	})
	t.Run("same host", func(t *testing.T) {
		open(t, "/here")
		for _, r := range originProxy.Requests() {
			if r.Authorization != "Bearer secret" {
				t.Errorf("token dropped on a same-host redirect: %+v", r)
			}
		}
	})
	t.Run("away and back", func(t *testing.T) {
		open(t, "/away-and-back")
		for _, r := range originProxy.Requests() {
			if r.Path == "/object.bin" && r.Authorization != "" {
				t.Errorf("token sent again after the chain left the host: %+v", r)
			}
		}
		if cdn.Count() == 0 {
			t.Fatal("the chain did not pass through the other host")
		}
	})
	t.Run("loop", func(t *testing.T) {
		_, err := OpenHTTP(context.Background(), originSrv.URL+"/loop", opts)
		if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "redirects") {
			t.Fatalf("redirect loop: %v", err)
		}
	})
}

func TestHTTPRedirectDowngradeRefused(t *testing.T) {
	checkLeaks(t)
	plain := newServer(t, faultproxy.NewObject("x", []byte("data")))
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/x", http.StatusFound)
	}))
	t.Cleanup(tlsSrv.Close)
	client := tlsSrv.Client()
	t.Cleanup(client.CloseIdleConnections)
	_, err := OpenHTTP(context.Background(), tlsSrv.URL+"/x", HTTPOptions{Client: client, Limiter: NewHostLimiter(1)})
	if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "https to http") {
		t.Fatalf("https to http redirect: %v", err)
	}
}

// TestHTTPCallersCheckRedirect runs the caller's own policy after ours.
func TestHTTPCallersCheckRedirect(t *testing.T) {
	f := newFixture(t, 100)
	mux := http.NewServeMux()
	mux.HandleFunc("/r", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, f.url, http.StatusFound) })
	srv := newServer(t, mux)
	client := *f.client
	sentinel := errors.New("no redirects here")
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return sentinel }
	opts := f.options()
	opts.Client = &client
	if _, err := OpenHTTP(context.Background(), srv.URL+"/r", opts); !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want the caller's", err)
	}
}
