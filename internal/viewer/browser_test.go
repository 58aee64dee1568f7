package viewer

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tome-data/tome/internal/interop"
)

// chromiumPath finds Debian's Chromium; TOME_CHROMIUM overrides it.
func chromiumPath() string {
	if p := os.Getenv("TOME_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

type browserPage struct {
	Path          string   `json:"path"`
	Title         string   `json:"title"`
	Columns       []string `json:"columns"`
	Features      []string `json:"features"`
	Range         string   `json:"range"`
	Rows          []string `json:"rows"`
	FirstRow      []string `json:"firstRow"`
	Texts         []string `json:"texts"`
	Images        int      `json:"images"`
	ImagesDecoded int      `json:"imagesDecoded"`
	Scripts       int      `json:"scripts"`
}

type browserReport struct {
	Visits struct {
		Index struct {
			Title    string   `json:"title"`
			Datasets []string `json:"datasets"`
		} `json:"index"`
		First, Next, Prev, Split browserPage
	} `json:"visits"`
	Problems []string `json:"problems"`
}

// TestBrowser loads the viewer in headless Chromium through playwright-core
// (e2e/viewer.mjs): the index lists the datasets, the dataset page shows the
// schema, the features and the first rows with their images decoded, and
// clicking "next", "previous" and a split link shows the right rows, with
// no console error (a blocked script or stylesheet would be one).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("Chromium is not installed (apt-get install chromium; .ci/run tries)")
	}
	node := interop.Node(t, "e2e", "playwright-core")
	srv := httptest.NewServer(Handler(newTestCatalog(t, map[string]string{"imgs": writeImageDataset(t, 30)})))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "viewer.mjs", srv.URL, chromium)
	cmd.Dir = "e2e"
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("viewer.mjs: %v\n%s", err, stderr.String())
	}
	var got browserReport
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("viewer.mjs printed %q: %v", out, err)
	}
	if len(got.Problems) > 0 {
		t.Errorf("browser problems:\n%s", strings.Join(got.Problems, "\n"))
	}
	if want := []string{"imgs"}; !cmp.Equal(got.Visits.Index.Datasets, want) {
		t.Errorf("index lists %q, want %q", got.Visits.Index.Datasets, want)
	}
	columns := []string{"id", "text", "label", "image"}
	features := []string{`{"dtype":"int64","_type":"Value"}`, `{"dtype":"string","_type":"Value"}`, `{"names":["cat","dog"],"_type":"ClassLabel"}`, `{"_type":"Image"}`}
	// Rows 2 (HTML bytes) and 4 (null) have no image: 23 of the first 25 do.
	want := map[string]browserPage{
		"first": {Path: "/viewer/datasets/imgs", Title: "imgs / train", Range: "rows 0–24 of 30 rows", Rows: indices(0, 24),
			FirstRow: []string{"0", "train row 0", "0 cat", ""}, Images: 23, ImagesDecoded: 23},
		"next": {Path: "/viewer/datasets/imgs?offset=25&split=train", Title: "imgs / train", Range: "rows 25–29 of 30 rows", Rows: indices(25, 29),
			FirstRow: []string{"25", "train row 25", "1 dog", ""}, Images: 5, ImagesDecoded: 5},
		"prev": {Path: "/viewer/datasets/imgs?offset=0&split=train", Title: "imgs / train", Range: "rows 0–24 of 30 rows", Rows: indices(0, 24),
			FirstRow: []string{"0", "train row 0", "0 cat", ""}, Images: 23, ImagesDecoded: 23},
		"split": {Path: "/viewer/datasets/imgs?split=test", Title: "imgs / test", Range: "rows 0–6 of 7 rows", Rows: indices(0, 6),
			FirstRow: []string{"0", "test row 0", "0 cat", ""}, Images: 5, ImagesDecoded: 5},
	}
	for name, page := range map[string]browserPage{"first": got.Visits.First, "next": got.Visits.Next, "prev": got.Visits.Prev, "split": got.Visits.Split} {
		w := want[name]
		w.Columns, w.Features = columns, features
		// The text column, as the browser shows it: markup as text, the
		// long row cut with an ellipsis.
		for _, i := range page.Rows {
			n, _ := strconv.Atoi(i)
			text := textOf(strings.Fields(w.Title)[2], n)
			if c := textCell(text); c.Truncated {
				text = c.Text + "…"
			}
			w.Texts = append(w.Texts, text)
		}
		if diff := cmp.Diff(w, page); diff != "" {
			t.Errorf("%s page (-want +got):\n%s", name, diff)
		}
	}
}
