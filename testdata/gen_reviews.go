//go:build ignore

// gen_reviews writes testdata/reviews.jsonl, the small dataset the README's
// quickstart uses: deterministic, so regenerating it changes nothing.
//
//	go run testdata/gen_reviews.go > testdata/reviews.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

type review struct {
	ID      int      `json:"id"`
	Text    string   `json:"text"`
	Label   int      `json:"label"`
	Score   float64  `json:"score"`
	Tags    []string `json:"tags"`
	Created string   `json:"created"`
}

func main() {
	rng := rand.New(rand.NewPCG(42, 7))
	words := strings.Fields("good bad fine great awful slow fast cheap pricey lovely broken sturdy light heavy " +
		"quiet loud bright dim soft rough warm cold fresh stale simple clever tidy messy")
	tags := []string{"books", "garden", "kitchen", "toys", "audio", "tools"}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 500 {
		n := 5 + rng.IntN(20)
		text := make([]string, n)
		for j := range text {
			text[j] = words[rng.IntN(len(words))]
		}
		var ts []string
		for _, t := range tags {
			if rng.IntN(4) == 0 {
				ts = append(ts, t)
			}
		}
		row := review{
			ID:      i,
			Text:    strings.Join(text, " "),
			Label:   rng.IntN(2),
			Score:   float64(rng.IntN(50)) / 10,
			Tags:    ts,
			Created: base.Add(time.Duration(rng.IntN(365*24)) * time.Hour).Format(time.RFC3339),
		}
		b, err := json.Marshal(row)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(w, "%s\n", b)
	}
}
