package shard

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// HubURI names a dataset repository on the Hugging Face Hub, a revision of
// it and a path inside it: hf://datasets/{org}/{name}[@{revision}][/{path}].
type HubURI struct {
	// Repo is "org/name".
	Repo string
	// Revision is a branch, tag, commit or ref (such as
	// "refs/convert/parquet", where the Hub keeps its Parquet export); ""
	// means "main".
	Revision string
	// Path is a file or folder in the repository, "" for its root. It has
	// no leading or trailing slash and no "." or ".." segments.
	Path string
}

// hubPrefix is the only kind of Hub repository tome reads.
const hubPrefix = "hf://datasets/"

// specialRef matches the refs whose names hold slashes and may be written
// unescaped after "@", as huggingface_hub accepts them: the Parquet
// conversion branches and pull requests.
var specialRef = regexp.MustCompile(`^(refs/convert/[A-Za-z0-9_]+|refs/pr/[0-9]+)(/|$)`)

// ParseHubURI parses hf://datasets/{org}/{name}[@{revision}][/{path}]. A
// revision with slashes is written URL-escaped ("@refs%2Fconvert%2Fparquet")
// or, for refs/convert/* and refs/pr/*, as it is. The path is taken
// literally.
func ParseHubURI(s string) (HubURI, error) {
	bad := func(why string) (HubURI, error) {
		return HubURI{}, fmt.Errorf("hub URI %q: %s", s, why)
	}
	rest, ok := strings.CutPrefix(s, hubPrefix)
	if !ok {
		if strings.HasPrefix(s, "hf://") {
			return bad("only dataset repositories (hf://datasets/...) are supported")
		}
		return bad("not an hf://datasets/ URI")
	}
	org, rest, _ := strings.Cut(rest, "/")
	end := strings.IndexAny(rest, "@/")
	if end < 0 {
		end = len(rest)
	}
	name, rest := rest[:end], rest[end:]
	if !validRepoPart(org) || !validRepoPart(name) {
		return bad("the repository must be org/name, each of letters, digits, '-', '_' and '.'")
	}
	u := HubURI{Repo: org + "/" + name}
	if after, ok := strings.CutPrefix(rest, "@"); ok {
		var rev string
		if m := specialRef.FindStringSubmatch(after); m != nil {
			rev, rest = m[1], after[len(m[1]):]
		} else {
			rev, rest, _ = strings.Cut(after, "/")
			rest = "/" + rest
			var err error
			if rev, err = url.PathUnescape(rev); err != nil {
				return bad("bad escape in the revision")
			}
		}
		if rev == "" || strings.Contains(rev, "..") || strings.ContainsAny(rev, "\x00\\") {
			return bad("bad revision")
		}
		u.Revision = rev
	}
	path := strings.TrimSuffix(strings.TrimPrefix(rest, "/"), "/")
	if path != "" {
		for seg := range strings.SplitSeq(path, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsRune(seg, 0) {
				return bad("bad path")
			}
		}
	}
	u.Path = path
	return u, nil
}

// validRepoPart checks an org or a name: letters, digits, '-', '_', '.',
// at most 96 characters, and not "." or "..".
func validRepoPart(s string) bool {
	if s == "" || len(s) > 96 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// String returns the URI in the form ParseHubURI reads, the revision
// escaped.
func (u HubURI) String() string {
	s := hubPrefix + u.Repo
	if u.Revision != "" {
		s += "@" + url.PathEscape(u.Revision)
	}
	if u.Path != "" {
		s += "/" + u.Path
	}
	return s
}

// revision returns Revision or its default.
func (u HubURI) revision() string {
	if u.Revision == "" {
		return "main"
	}
	return u.Revision
}

// escapedPath escapes each segment of a slash-separated path.
func escapedPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
