package viewer

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"time"
)

//go:embed assets
var assets embed.FS

// pages holds the templates of assets/*.html, parsed once: html/template
// escapes every value by its context (text, attribute, URL), which is what
// keeps cells, names and error messages from becoming markup.
var pages = template.Must(template.ParseFS(assets, "assets/*.html"))

var (
	style = mustRead("assets/style.css")
	icon  = mustRead("assets/icon.svg")
)

func mustRead(name string) []byte {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

func serveStyle(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, r, "text/css; charset=utf-8", style)
}

// serveIcon answers the page's icon, which browsers otherwise look for at
// /favicon.ico, outside the viewer's paths.
func serveIcon(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, r, "image/svg+xml", icon)
}

func serveAsset(w http.ResponseWriter, r *http.Request, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// render writes a page, buffered so that a template error becomes a 500
// instead of half a page.
func render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "viewer: rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
