package gen

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tome-data/tome/internal/atomicfile"
)

// writeReviews writes rows lines of JSON shaped like product reviews: an
// id, 20-79 words of text, an integer label, a score, two tags and a
// timestamp. This is the input of issue 6's JSON Lines -> Parquet comparison
// with DuckDB (there sized at 1 GiB, 2.8 M rows; here by row count).
func writeReviews(path string, rows int64, seed uint64) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 2))
	words := strings.Fields("quiet bright messy dim soft bad light heavy stale pricey good cold awful sturdy loud fine great cheap fast slow")
	tags := []string{"audio", "toys", "books", "garden", "kitchen", "sports"}
	var sb strings.Builder
	for i := range rows {
		sb.Reset()
		for j := range 20 + rng.IntN(60) {
			if j > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[rng.IntN(len(words))])
		}
		_, err := fmt.Fprintf(w, `{"id":%d,"text":%q,"label":%d,"score":%.1f,"tags":[%q,%q],"created":"2024-%02d-%02dT%02d:00:00Z"}`+"\n",
			i, sb.String(), rng.IntN(5), rng.Float64()*5, tags[rng.IntN(6)], tags[rng.IntN(6)], 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24))
		if err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Commit()
}
