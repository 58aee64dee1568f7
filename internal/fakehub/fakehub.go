package fakehub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// DefaultPageSize is the Hub's page size for tree listings.
const DefaultPageSize = 1000

// Hub serves repositories added with Add. Set its fields before serving.
type Hub struct {
	// PageSize is the number of entries per listing page; zero means
	// DefaultPageSize.
	PageSize int
	// Token, if set, is required as a bearer token by the API and resolve
	// endpoints.
	Token string
	// Redirect, if set, is the base URL (a server running this same Hub)
	// that resolve requests are redirected to, under /files/.
	Redirect string

	mu    sync.Mutex
	repos map[string]string // "org/name@revision" -> directory
	log   []Request
}

// Request is what the Hub logs of one request.
type Request struct {
	Method, Host, Path, RawQuery string
	Range, Authorization         string
}

// New returns a Hub serving no repository yet.
func New() *Hub { return &Hub{repos: map[string]string{}} }

// Add serves the files under dir as revision of the dataset repo
// ("org/name").
func (h *Hub) Add(repo, revision, dir string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.repos[repo+"@"+revision] = dir
}

// Requests returns the requests seen so far, in arrival order.
func (h *Hub) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.log)
}

// Reset forgets the requests seen.
func (h *Hub) Reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = nil
}

func (h *Hub) dir(repo, revision string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, ok := h.repos[repo+"@"+revision]
	return d, ok
}

// ServeHTTP routes a request to the tree, resolve or storage endpoint.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.log = append(h.log, Request{Method: r.Method, Host: r.Host, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Range: r.Header.Get("Range"), Authorization: r.Header.Get("Authorization")})
	h.mu.Unlock()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	switch {
	case len(segs) >= 6 && segs[0] == "api" && segs[1] == "datasets" && segs[4] == "tree":
		if h.authorized(w, r) {
			h.tree(w, r, segs[2]+"/"+segs[3], segs[5], segs[6:])
		}
	case len(segs) >= 6 && segs[0] == "datasets" && segs[3] == "resolve":
		if h.authorized(w, r) {
			h.resolve(w, r, segs[1]+"/"+segs[2], segs[4], segs[5:])
		}
	case len(segs) >= 5 && segs[0] == "files":
		h.serveFile(w, r, segs[1]+"/"+segs[2], segs[3], segs[4:])
	default:
		http.NotFound(w, r)
	}
}

func (h *Hub) authorized(w http.ResponseWriter, r *http.Request) bool {
	if h.Token == "" || r.Header.Get("Authorization") == "Bearer "+h.Token {
		return true
	}
	http.Error(w, "invalid credentials", http.StatusUnauthorized)
	return false
}

// locate finds the repository and the path a request names.
func (h *Hub) locate(w http.ResponseWriter, r *http.Request, repo, rawRev string, rawPath []string) (dir, rev, rel string, ok bool) {
	rev, err := url.PathUnescape(rawRev)
	if err != nil {
		http.Error(w, "bad revision", http.StatusBadRequest)
		return "", "", "", false
	}
	dir, found := h.dir(repo, rev)
	if !found {
		http.Error(w, "repository or revision not found", http.StatusNotFound)
		return "", "", "", false
	}
	parts := make([]string, 0, len(rawPath))
	for _, p := range rawPath {
		s, err := url.PathUnescape(p)
		if err != nil || s == ".." || s == "." || strings.Contains(s, "/") {
			http.Error(w, "bad path", http.StatusBadRequest)
			return "", "", "", false
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	return dir, rev, strings.Join(parts, "/"), true
}

// entry is an element of the tree API's answer.
type entry struct {
	Type string `json:"type"`
	OID  string `json:"oid"`
	Size int64  `json:"size"`
	Path string `json:"path"`
}

func (h *Hub) tree(w http.ResponseWriter, r *http.Request, repo, rawRev string, rawPath []string) {
	dir, _, rel, ok := h.locate(w, r, repo, rawRev, rawPath)
	if !ok {
		return
	}
	entries, err := list(dir, rel, r.URL.Query().Get("recursive") == "true")
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	size := h.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	start = min(max(start, 0), len(entries))
	end := min(start+size, len(entries))
	if end < len(entries) {
		next := *r.URL
		q := next.Query()
		q.Set("cursor", strconv.Itoa(end))
		next.RawQuery = q.Encode()
		next.Scheme, next.Host = "", ""
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.String()))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(entries[start:end])
}

// list walks the folder rel of dir: every entry below it when recursive,
// its children otherwise, in path order.
func list(dir, rel string, recursive bool) ([]entry, error) {
	root := filepath.Join(dir, filepath.FromSlash(rel))
	st, err := os.Stat(root)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s: not a folder of the repository", rel)
	}
	var out []entry
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		r, _ := filepath.Rel(dir, p)
		e := entry{Path: filepath.ToSlash(r)}
		if d.IsDir() {
			e.Type = "directory"
		} else {
			info, err := os.Stat(p) // a symbolic link is served as its target
			if err != nil {
				return err
			}
			e.Type, e.Size = "file", info.Size()
		}
		e.OID = oid(e.Path)
		out = append(out, e)
		if d.IsDir() && !recursive {
			return filepath.SkipDir
		}
		return nil
	})
	return out, err
}

func oid(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:20])
}

func (h *Hub) resolve(w http.ResponseWriter, r *http.Request, repo, rawRev string, rawPath []string) {
	if h.Redirect != "" {
		target := strings.TrimRight(h.Redirect, "/") + "/files/" + repo + "/" + rawRev + "/" + strings.Join(rawPath, "/")
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	h.serveFile(w, r, repo, rawRev, rawPath)
}

// serveFile serves a file of a repository with http.ServeContent, under
// an ETag of its path, size and modification time.
func (h *Hub) serveFile(w http.ResponseWriter, r *http.Request, repo, rawRev string, rawPath []string) {
	dir, _, rel, ok := h.locate(w, r, repo, rawRev, rawPath)
	if !ok {
		return
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		http.Error(w, "entry not found", http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.Error(w, "entry not found", http.StatusNotFound)
		return
	}
	w.Header().Set("ETag", `"`+oid(fmt.Sprint(rel, st.Size(), st.ModTime().UnixNano()))[:16]+`"`)
	http.ServeContent(w, r, path.Base(rel), st.ModTime(), f)
}
