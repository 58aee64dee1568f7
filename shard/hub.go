package shard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// DefaultHubEndpoint is the Hugging Face Hub, used when neither
// HubOptions.Endpoint nor HF_ENDPOINT names another (a mirror, a private
// Hub, a test server).
const DefaultHubEndpoint = "https://huggingface.co"

// HubOptions configure OpenHub and ListHub. The zero value reads the
// environment as huggingface_hub does.
type HubOptions struct {
	// Endpoint is the Hub's base URL; "" means $HF_ENDPOINT, or
	// DefaultHubEndpoint when that is unset.
	Endpoint string

	// Token is the access token for private and gated repositories; ""
	// means $HF_TOKEN. It is sent as a bearer token to the endpoint's own
	// scheme and host only: never to the storage hosts the Hub redirects
	// file downloads to, nor to a pagination link elsewhere.
	Token string

	// HTTP configures the requests: client, retries, timeouts, caches.
	// Its Header is sent with every request to the endpoint.
	HTTP HTTPOptions
}

// endpoint returns the parsed endpoint, without a trailing slash.
func (o HubOptions) endpoint() (*url.URL, error) {
	e := o.Endpoint
	if e == "" {
		e = os.Getenv("HF_ENDPOINT")
	}
	if e == "" {
		e = DefaultHubEndpoint
	}
	u, err := url.Parse(strings.TrimRight(e, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("hub endpoint %q: not an http or https base URL", e)
	}
	return u, nil
}

func (o HubOptions) token() string {
	if o.Token != "" {
		return o.Token
	}
	return os.Getenv("HF_TOKEN")
}

// header returns the headers for requests to the endpoint: the caller's,
// with the token.
func (o HubOptions) header() http.Header {
	h := o.HTTP.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if t := o.token(); t != "" {
		h.Set("Authorization", "Bearer "+t)
	}
	return h
}

// HubFileURL returns the download URL of the file u names:
// {endpoint}/datasets/{repo}/resolve/{revision}/{path}, the revision
// escaped as one segment (refs%2Fconvert%2Fparquet).
func HubFileURL(u HubURI, opts HubOptions) (string, error) {
	ep, err := opts.endpoint()
	if err != nil {
		return "", err
	}
	if u.Path == "" {
		return "", fmt.Errorf("hub URI %s names no file", u)
	}
	return ep.String() + "/datasets/" + escapedPath(u.Repo) + "/resolve/" + url.PathEscape(u.revision()) + "/" + escapedPath(u.Path), nil
}

// OpenHub opens the file an hf://datasets/ URI names (see ParseHubURI) as
// an HTTPSource. Its Name is the download URL; the Hub's redirect to its
// storage is followed on every request, so its signed URLs never go stale.
func OpenHub(ctx context.Context, uri string, opts HubOptions) (*HTTPSource, error) {
	u, err := ParseHubURI(uri)
	if err != nil {
		return nil, err
	}
	fileURL, err := HubFileURL(u, opts)
	if err != nil {
		return nil, err
	}
	httpOpts := opts.HTTP
	httpOpts.Header = opts.header()
	src, err := OpenHTTP(ctx, fileURL, httpOpts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", uri, err)
	}
	return src, nil
}
