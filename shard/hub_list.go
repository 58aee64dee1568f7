package shard

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxTreePage bounds one page of a Hub listing. The Hub sends 1000 entries
// of a few hundred bytes per page.
const maxTreePage = 32 << 20

// HubFile is a file in a Hub repository.
type HubFile struct {
	// Path is the file's path from the repository's root.
	Path string
	// Size is its length in bytes (of the content, not of a Git LFS
	// pointer).
	Size int64
	// OID is its Git blob id.
	OID string
	// SHA256 is the hex SHA-256 of its content for a file stored with Git
	// LFS, "" otherwise.
	SHA256 string
}

// ListHub lists the files under the folder an hf://datasets/ URI names
// (the repository's root when it names none), recursively, sorted by path.
// It reads {endpoint}/api/datasets/{repo}/tree/{revision}[/{path}]?recursive=true
// and follows its pagination (Link: <...>; rel="next").
func ListHub(ctx context.Context, uri string, opts HubOptions) ([]HubFile, error) {
	u, err := ParseHubURI(uri)
	if err != nil {
		return nil, err
	}
	ep, err := opts.endpoint()
	if err != nil {
		return nil, err
	}
	page := ep.String() + "/api/datasets/" + escapedPath(u.Repo) + "/tree/" + url.PathEscape(u.revision())
	if u.Path != "" {
		page += "/" + escapedPath(u.Path)
	}
	page += "?recursive=true"

	l := &hubLister{ep: ep, opts: opts.HTTP.normalized(), header: opts.header()}
	client := *l.opts.Client
	client.CheckRedirect = redirectPolicy(l.opts.Client.CheckRedirect, nil)
	l.client = &client

	var files []HubFile
	seen := map[string]bool{}
	for page != "" {
		if seen[page] {
			return nil, fmt.Errorf("listing %s: %w: pagination loops back to %s", uri, ErrBadResponse, page)
		}
		seen[page] = true
		var entries []HubFile
		var next string
		err := l.opts.Retry.do(ctx, func(ctx context.Context) (bool, error) {
			var err error
			entries, next, err = l.page(ctx, page)
			return false, err
		})
		if err != nil {
			return nil, fmt.Errorf("listing %s: GET %s: %w", uri, page, err)
		}
		files = append(files, entries...)
		page = next
	}
	slices.SortFunc(files, func(a, b HubFile) int { return cmp.Compare(a.Path, b.Path) })
	for i := 1; i < len(files); i++ {
		if files[i].Path == files[i-1].Path {
			return nil, fmt.Errorf("listing %s: %w: %s listed twice", uri, ErrBadResponse, files[i].Path)
		}
	}
	return files, nil
}

type hubLister struct {
	ep     *url.URL
	opts   HTTPOptions
	header http.Header
	client *http.Client
}

// page fetches one page of a listing and returns its files and the next
// page's URL ("" on the last page).
func (l *hubLister) page(ctx context.Context, pageURL string) ([]HubFile, string, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil, "", fmt.Errorf("%w: page URL %q: %v", ErrBadResponse, pageURL, err)
	}
	release, err := l.opts.Limiter.acquire(ctx, u.Host)
	if err != nil {
		return nil, "", err
	}
	defer release()
	wd := startWatchdog(ctx, l.opts.HeaderTimeout, l.opts.StallTimeout)
	defer wd.stop()
	req, err := http.NewRequestWithContext(wd.ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%w: page URL %q: %v", ErrBadResponse, pageURL, err)
	}
	if sameOrigin(u, l.ep) {
		req.Header = l.header.Clone()
	} else {
		for k, v := range l.header {
			if !slices.Contains(sensitiveHeaders, http.CanonicalHeaderKey(k)) {
				req.Header[k] = v
			}
		}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, "", wd.explain(transportError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", newStatusError(resp, u.Redacted())
	}
	files, err := decodeTreePage(wd.body(io.LimitReader(resp.Body, maxTreePage+1)))
	if err != nil {
		return nil, "", wd.explain(err)
	}
	next, err := nextLink(resp.Header.Values("Link"), resp.Request.URL)
	if err != nil {
		return nil, "", err
	}
	return files, next, nil
}

// treeEntry is an element of the Hub's tree API answer.
type treeEntry struct {
	Type string `json:"type"`
	Path string `json:"path"`
	Size int64  `json:"size"`
	OID  string `json:"oid"`
	LFS  *struct {
		OID  string `json:"oid"`
		Size int64  `json:"size"`
	} `json:"lfs"`
}

// decodeTreePage reads one page of the tree API: a JSON array of files and
// directories, of which it keeps the files.
func decodeTreePage(r io.Reader) ([]HubFile, error) {
	var entries []treeEntry
	lr := &countingReader{r: r}
	if err := json.NewDecoder(lr).Decode(&entries); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case lr.n > maxTreePage:
			return nil, fmt.Errorf("%w: listing page larger than %d bytes", ErrBadResponse, maxTreePage)
		case errors.As(err, &syntax), errors.As(err, &typ):
			return nil, fmt.Errorf("%w: listing page: %v", ErrBadResponse, err)
		}
		// A body cut short: retried like any other.
		return nil, fmt.Errorf("listing page: %w", err)
	}
	var files []HubFile
	for _, e := range entries {
		if e.Type != "file" {
			continue // directories; nothing else is documented
		}
		f := HubFile{Path: e.Path, Size: e.Size, OID: e.OID}
		if e.LFS != nil {
			f.Size, f.SHA256 = e.LFS.Size, e.LFS.OID
		}
		if !validRepoPath(f.Path) || f.Size < 0 {
			return nil, fmt.Errorf("%w: listing entry with path %q and size %d", ErrBadResponse, f.Path, f.Size)
		}
		files = append(files, f)
	}
	return files, nil
}

// validRepoPath accepts a relative slash-separated path without empty, "."
// or ".." segments.
func validRepoPath(p string) bool {
	if p == "" {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsRune(seg, 0) {
			return false
		}
	}
	return true
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// nextLink finds the rel="next" target among Link header values (RFC
// 8288), resolved against the page's URL; "" when there is none.
func nextLink(values []string, base *url.URL) (string, error) {
	for _, v := range values {
		for len(v) > 0 {
			v = strings.TrimLeft(v, " \t,")
			if v == "" {
				break
			}
			if v[0] != '<' {
				return "", fmt.Errorf("%w: malformed Link header", ErrBadResponse)
			}
			end := strings.IndexByte(v, '>')
			if end < 0 {
				return "", fmt.Errorf("%w: malformed Link header", ErrBadResponse)
			}
			target := v[1:end]
			v = v[end+1:]
			// The parameters run to the next comma outside quotes.
			params := splitOutsideQuotes(v, ',')[0]
			v = v[len(params):]
			for _, p := range splitOutsideQuotes(params, ';') {
				k, val, _ := strings.Cut(p, "=")
				if !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for rel := range strings.FieldsSeq(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return resolveLink(base, target)
					}
				}
			}
		}
	}
	return "", nil
}

func resolveLink(base *url.URL, target string) (string, error) {
	t, err := base.Parse(target)
	if err != nil || (t.Scheme != "http" && t.Scheme != "https") {
		return "", fmt.Errorf("%w: Link to %q", ErrBadResponse, target)
	}
	return t.String(), nil
}
