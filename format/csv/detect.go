package csv

import "bytes"

// detectSample is how much of the file delimiter detection looks at.
const detectSample = 64 << 10

// detectDelimiter picks the delimiter among Delimiters that splits the
// first lines of sample most consistently: the one found the same number
// of times (outside quotes) on every line, the most times if several are,
// the first in Delimiters on a tie. Failing that, the most frequent one;
// failing that (a single column), ','.
func detectDelimiter(sample []byte) byte {
	lines := sampleLines(sample, 20)
	best, bestCount, consistent := byte(','), 0, false
	for i := range len(Delimiters) {
		d := Delimiters[i]
		counts := make([]int, len(lines))
		total := 0
		for j, l := range lines {
			counts[j] = countOutsideQuotes(l, d)
			total += counts[j]
		}
		if total == 0 {
			continue
		}
		same := true
		for _, c := range counts {
			same = same && c == counts[0]
		}
		score := total
		if same {
			score = counts[0]
		}
		switch {
		case same && !consistent, same == consistent && score > bestCount:
			best, bestCount, consistent = d, score, same
		}
	}
	return best
}

// sampleLines returns up to n complete lines of sample (quoted line breaks
// do not end a line); the last, possibly cut, line is dropped unless it is
// the only one.
func sampleLines(sample []byte, n int) [][]byte {
	var lines [][]byte
	inQuote, start := false, 0
	for i, c := range sample {
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == '\n' && !inQuote:
			if l := bytes.TrimSuffix(sample[start:i], []byte{'\r'}); len(l) > 0 {
				lines = append(lines, l)
			}
			start = i + 1
			if len(lines) == n {
				return lines
			}
		}
	}
	if len(lines) == 0 && start < len(sample) {
		lines = append(lines, sample[start:])
	}
	return lines
}

func countOutsideQuotes(line []byte, d byte) int {
	n, inQuote := 0, false
	for _, c := range line {
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == d && !inQuote:
			n++
		}
	}
	return n
}
