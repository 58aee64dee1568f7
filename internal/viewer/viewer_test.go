package viewer

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// newTestViewer serves "imgs" (train: 30 rows, test: 7), "lines" (JSON
// Lines, 25 rows) and the same file under a name that needs escaping.
func newTestViewer(t *testing.T) http.Handler {
	t.Helper()
	lines := writeJSONLines(t, 25)
	return Handler(newTestCatalog(t, map[string]string{
		"imgs":             writeImageDataset(t, 30),
		"lines":            lines,
		`o'brien & <co> x`: lines,
	}))
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, h http.Handler, target string) response {
	t.Helper()
	return do(t, h, http.MethodGet, target)
}

func do(t *testing.T, h http.Handler, method, target string) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return response{rec.Code, rec.Result().Header, string(body)}
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("page contains %q", w)
		}
	}
}

var (
	rowRE  = regexp.MustCompile(`<tr><td class="index">(\d+)</td>`)
	linkRE = regexp.MustCompile(`<a href="([^"]*)" rel="(\w+)">`)
)

// rowIndices are the indices of the rows a page shows.
func rowIndices(body string) []string {
	var out []string
	for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// link is the target of the first link with rel, or "".
func link(body, rel string) string {
	for _, m := range linkRE.FindAllStringSubmatch(body, -1) {
		if m[2] == rel {
			return html.UnescapeString(m[1])
		}
	}
	return ""
}

func indices(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

func TestIndexListsDatasetsAndSplits(t *testing.T) {
	h := newTestViewer(t)
	r := get(t, h, "/")
	if r.status != http.StatusOK {
		t.Fatalf("GET / = %d: %s", r.status, r.body)
	}
	mustContain(t, r.body,
		`<a href="/viewer/datasets/imgs">imgs</a>`,
		`<a href="/viewer/datasets/imgs?split=train" class="current">train</a> <span class="muted">30 rows</span>`,
		`<a href="/viewer/datasets/imgs?split=test">test</a> <span class="muted">7 rows</span>`,
		`<a href="/viewer/datasets/lines">lines</a>`,
		`? rows`, // JSON Lines records no row count
		`o&#39;brien &amp; &lt;co&gt; x</a>`,
		`href="/viewer/datasets/o%27brien%20&amp;%20%3Cco%3E%20x"`,
	)
}

func TestDatasetPageShowsSchemaFeaturesAndFirstRows(t *testing.T) {
	h := newTestViewer(t)
	r := get(t, h, "/viewer/datasets/imgs")
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	mustContain(t, r.body,
		`<h1 id="title">imgs <span class="muted">/ train</span></h1>`,
		`<tr><td>id</td><td><code>int64</code></td><td><code>{&#34;dtype&#34;:&#34;int64&#34;,&#34;_type&#34;:&#34;Value&#34;}</code></td></tr>`,
		`<tr><td>label</td><td><code>int64</code></td><td><code>{&#34;names&#34;:[&#34;cat&#34;,&#34;dog&#34;],&#34;_type&#34;:&#34;ClassLabel&#34;}</code></td></tr>`,
		`<td>image</td><td><code>struct&lt;bytes: binary nullable, path: utf8 nullable&gt;</code></td><td><code>{&#34;_type&#34;:&#34;Image&#34;}</code></td>`,
		`<th>#</th><th>id</th><th>text</th><th>label</th><th>image</th>`,
		`<td class="cell">train row 0</td><td class="cell">0 cat</td>`,
		`<td class="cell">train row 1</td><td class="cell">1 dog</td>`,
		`rows 0–24 of 30 rows`,
		// Images are fetched from the image endpoint, lazily.
		`<img src="/viewer/datasets/imgs/image?column=image&amp;row=0&amp;split=train" alt="img-0.png" loading="lazy">`,
		// Row 2's "image" is HTML: described, never shown or linked.
		`<span class="quiet">38 bytes, text/html; charset=utf-8</span>`,
	)
	if got, want := rowIndices(r.body), indices(0, 24); !equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	mustNotContain(t, r.body, "row=2&amp;", "row=4&amp;")
	if link(r.body, "next") != "/viewer/datasets/imgs?offset=25&split=train" {
		t.Errorf("next link %q", link(r.body, "next"))
	}
	if link(r.body, "prev") != "" {
		t.Errorf("first page has a previous link %q", link(r.body, "prev"))
	}
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestDatasetPageEscapesCells(t *testing.T) {
	r := get(t, newTestViewer(t), "/viewer/datasets/imgs")
	mustNotContain(t, r.body, "<script", "<img src=x")
	mustContain(t, r.body, `&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;`)
	if r.header.Get("Content-Security-Policy") == "" || !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", r.header.Get("Content-Security-Policy"))
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", r.header.Get("X-Content-Type-Options"))
	}
}

func TestDatasetPageTruncatesLongCells(t *testing.T) {
	r := get(t, newTestViewer(t), "/viewer/datasets/imgs")
	long := strings.Repeat("long ", 200)
	mustNotContain(t, r.body, long[:maxCellRunes+1])
	mustContain(t, r.body, `<td class="cell">`+long[:maxCellRunes]+`<span class="muted">…</span></td>`)
}

func TestDatasetPagePaging(t *testing.T) {
	h := newTestViewer(t)
	tests := []struct {
		target     string
		rows       []string
		prev, next string
	}{
		{"/viewer/datasets/imgs?offset=25&split=train", indices(25, 29), "/viewer/datasets/imgs?offset=0&split=train", ""},
		{"/viewer/datasets/imgs?limit=10&offset=10", indices(10, 19), "/viewer/datasets/imgs?limit=10&offset=0&split=train", "/viewer/datasets/imgs?limit=10&offset=20&split=train"},
		{"/viewer/datasets/imgs?limit=100", indices(0, 29), "", ""},
		{"/viewer/datasets/imgs?split=test", indices(0, 6), "", ""},
		// JSON Lines: no row count and no random access; a full page has a next one.
		{"/viewer/datasets/lines?limit=10&offset=10", indices(10, 19), "/viewer/datasets/lines?limit=10&offset=0&split=train", "/viewer/datasets/lines?limit=10&offset=20&split=train"},
		{"/viewer/datasets/lines?limit=10&offset=20", indices(20, 24), "/viewer/datasets/lines?limit=10&offset=10&split=train", ""},
		{"/viewer/datasets/lines?offset=40", nil, "/viewer/datasets/lines?offset=15&split=train", ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			r := get(t, h, tt.target)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got := rowIndices(r.body); !equal(got, tt.rows) {
				t.Errorf("rows %v, want %v", got, tt.rows)
			}
			if got := link(r.body, "prev"); got != tt.prev {
				t.Errorf("prev %q, want %q", got, tt.prev)
			}
			if got := link(r.body, "next"); got != tt.next {
				t.Errorf("next %q, want %q", got, tt.next)
			}
		})
	}
}

func TestDatasetPageJSONLinesCells(t *testing.T) {
	r := get(t, newTestViewer(t), "/viewer/datasets/lines?offset=3&limit=1")
	mustContain(t, r.body, `<td class="index">3</td><td class="cell">3</td><td class="cell">line 3</td>`, "rows 3–3 of ? rows")
}

func TestErrors(t *testing.T) {
	h := newTestViewer(t)
	tests := []struct {
		method, target string
		status         int
	}{
		{"GET", "/nope", 404},
		{"GET", "/viewer/", 404},
		{"GET", "/viewer/datasets/", 404},
		{"GET", "/viewer/datasets/missing", 404},
		{"GET", "/viewer/datasets/..%2Fimgs", 404},
		{"GET", "/viewer/datasets/imgs/other", 404},
		{"GET", "/v1/datasets", 404},
		{"GET", "/viewer/datasets/imgs?split=nope", 404},
		{"GET", "/viewer/datasets/imgs?offset=30", 404},
		{"GET", "/viewer/datasets/imgs?offset=-1", 400},
		{"GET", "/viewer/datasets/imgs?offset=x", 400},
		{"GET", "/viewer/datasets/imgs?limit=0", 400},
		{"GET", "/viewer/datasets/imgs?limit=101", 400},
		{"GET", "/viewer/datasets/imgs/image?column=image", 400},
		{"GET", "/viewer/datasets/imgs/image?column=image&row=30", 404},
		{"GET", "/viewer/datasets/imgs/image?column=text&row=0", 404},
		{"GET", "/viewer/datasets/imgs/image?column=nope&row=0", 404},
		{"GET", "/viewer/datasets/imgs/image?column=image&row=2", 404}, // HTML bytes
		{"GET", "/viewer/datasets/imgs/image?column=image&row=4", 404}, // null
		{"GET", "/viewer/datasets/lines/image?column=s&row=0", 404},
		{"POST", "/viewer/datasets/imgs", 405},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := do(t, h, tt.method, tt.target)
			if r.status != tt.status {
				t.Errorf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
}

func TestErrorPagesEscape(t *testing.T) {
	r := get(t, newTestViewer(t), "/viewer/datasets/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
	if r.status != http.StatusNotFound {
		t.Fatalf("status %d", r.status)
	}
	mustNotContain(t, r.body, "<script>")
	mustContain(t, r.body, "&lt;script&gt;")
}

func TestImage(t *testing.T) {
	h := newTestViewer(t)
	for _, tt := range []struct {
		split string
		row   int
	}{{"train", 0}, {"train", 29}, {"test", 6}} {
		r := get(t, h, "/viewer/datasets/imgs/image?column=image&split="+tt.split+"&row="+strconv.Itoa(tt.row))
		if r.status != http.StatusOK {
			t.Fatalf("%s row %d: status %d: %s", tt.split, tt.row, r.status, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("Content-Type %q", ct)
		}
		if r.body != string(pngOf(tt.row)) {
			t.Errorf("%s row %d: the bytes are not the row's PNG", tt.split, tt.row)
		}
	}
}

func TestAssets(t *testing.T) {
	h := newTestViewer(t)
	for _, tt := range []struct{ path, contentType, has string }{
		{"/viewer/style.css", "text/css; charset=utf-8", "table"},
		{"/viewer/icon.svg", "image/svg+xml", "<svg"},
	} {
		r := get(t, h, tt.path)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != tt.contentType || !strings.Contains(r.body, tt.has) {
			t.Errorf("%s: %d %q", tt.path, r.status, r.header.Get("Content-Type"))
		}
	}
}

// TestListCells shows a long list cut short after encoding only what the
// page shows, and a short one whole, as rowjson prints it.
func TestListCells(t *testing.T) {
	long := make([]int64, 100_000)
	for i := range long {
		long[i] = int64(i)
	}
	path := writeListDataset(t, [][]int64{long, {1, 2, 3}, nil})
	r := get(t, Handler(newTestCatalog(t, map[string]string{"lists": path})), "/viewer/datasets/lists")
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	mustContain(t, r.body,
		`<td class="index">0</td><td class="cell">[0,1,2,3,4,5,6,7,8,9,10,`,
		`<span class="muted">…</span></td>`,
		`<td class="index">1</td><td class="cell">[1,2,3]</td>`,
		`<td class="index">2</td><td class="cell"><span class="null">null</span></td>`,
	)
	if len(r.body) > 8<<10 {
		t.Errorf("page of 3 rows is %d bytes", len(r.body))
	}
}

// TestListCellEncodesOnlyWhatItShows: a cell of a million-element list
// allocates kilobytes, not the megabytes its whole JSON would take.
func TestListCellEncodesOnlyWhatItShows(t *testing.T) {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Int64)
	defer b.Release()
	b.Append(true)
	for i := range 1_000_000 {
		b.ValueBuilder().(*array.Int64Builder).Append(int64(i))
	}
	arr := b.NewListArray()
	defer arr.Release()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c := listCell(arr, 0)
	runtime.ReadMemStats(&after)
	if !c.Truncated || !strings.HasPrefix(c.Text, "[0,1,2,") {
		t.Fatalf("cell %+v", c)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 256<<10 {
		t.Errorf("rendering one cell allocated %d bytes", n)
	}
}

// TestConcurrentRequests serves pages and images from many goroutines at
// once (run under -race in CI).
func TestConcurrentRequests(t *testing.T) {
	h := newTestViewer(t)
	targets := []string{"/", "/viewer/datasets/imgs?offset=5", "/viewer/datasets/imgs?split=test",
		"/viewer/datasets/lines?offset=10&limit=5", "/viewer/datasets/imgs/image?column=image&row=7"}
	var wg sync.WaitGroup
	errs := make(chan string, 16*len(targets))
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range targets {
				target := targets[(i+j)%len(targets)]
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
				if rec.Code != http.StatusOK {
					errs <- target + ": " + strconv.Itoa(rec.Code)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
