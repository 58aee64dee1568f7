package viewer

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
)

// BenchmarkDatasetPage renders a page of rows with an Image column, the
// viewer's heaviest page: TOME_BENCH_VIEWER_ROWS rows per page (default
// MaxPageRows) out of a dataset of 1000.
func BenchmarkDatasetPage(b *testing.B) {
	rows := MaxPageRows
	if s := os.Getenv("TOME_BENCH_VIEWER_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageRows {
			b.Fatalf("TOME_BENCH_VIEWER_ROWS=%q: want 1 to %d", s, MaxPageRows)
		}
		rows = n
	}
	h := Handler(newTestCatalog(b, map[string]string{"imgs": writeImageDataset(b, 1000)}))
	target := "/viewer/datasets/imgs?offset=500&limit=" + strconv.Itoa(rows)
	var size int
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "page-bytes")
}

// BenchmarkImage serves one Image cell.
func BenchmarkImage(b *testing.B) {
	h := Handler(newTestCatalog(b, map[string]string{"imgs": writeImageDataset(b, 1000)}))
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/viewer/datasets/imgs/image?column=image&row=777", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
