package csv

import (
	"bytes"
	"fmt"
	"io"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/textio"
)

// readSize is how much recordReader asks its source for at a time.
const readSize = 1 << 20

// A field is one cell of a record: its text (unquoted and unescaped) and
// whether it was quoted, which tells "" (an empty string) from nothing (a
// null).
type field struct {
	text   []byte
	quoted bool
}

// span locates a field while a record is parsed: in the buffer, or in the
// scratch space where quoted fields are unescaped.
type span struct {
	from, to int
	quoted   bool
}

// recordReader cuts a stream into RFC 4180 records: fields separated by
// the delimiter, records by "\n" or "\r\n", quoted fields holding
// delimiters, newlines and doubled quotes. A quote inside an unquoted
// field is kept as text; a character after a closing quote other than a
// delimiter or the end of the record is an error. Blank lines are skipped.
type recordReader struct {
	r          io.Reader // nil when buf holds the whole content
	c          format.Compression
	buf        []byte
	start, end int // unread bytes are buf[start:end]
	eof        bool
	max        int // longest record in bytes
	maxFields  int // most fields a record may have
	delim      byte
	line       int64 // line number of buf[start]
	recLine    int64 // line the last record began on
	recBytes   int   // bytes of the last record
	spans      []span
	scratch    []byte
	fields     []field // the last record; valid until the next call
	err        error
	bomChecked bool
}

func newRecordReader(st *textio.Stream, c format.Compression, max int) *recordReader {
	rr := &recordReader{r: st.R, c: c, max: max, maxFields: 1 << 20, delim: ',', line: 1}
	if st.R == nil {
		rr.buf, rr.end, rr.eof = st.Whole, len(st.Whole), true
	}
	return rr
}

// peek returns up to n unread bytes without consuming them, reading as
// needed; used to detect the delimiter.
func (rr *recordReader) peek(n int) []byte {
	for rr.end-rr.start < n && !rr.eof && rr.err == nil {
		if !rr.fill() {
			break
		}
	}
	rr.skipBOM()
	return rr.buf[rr.start:min(rr.end, rr.start+n)]
}

func (rr *recordReader) skipBOM() {
	if !rr.bomChecked && (rr.end-rr.start >= 3 || rr.eof) {
		rr.bomChecked = true
		if bytes.HasPrefix(rr.buf[rr.start:rr.end], []byte("\xef\xbb\xbf")) {
			rr.start += 3
		}
	}
}

// next reads the next non-blank record into fields. It returns false at
// the end of the stream or on an error (see err).
func (rr *recordReader) next() bool {
	for {
		rr.skipBOM()
		if rr.eof && rr.start >= rr.end {
			return false
		}
		n, lines, complete, err := rr.parse()
		if err != nil {
			rr.err = err
			return false
		}
		if !complete {
			if rr.end-rr.start > rr.max {
				rr.err = fmt.Errorf("line %d: record longer than %d bytes (raise Options.MaxRecordBytes): %w", rr.line, rr.max, format.ErrUnsupported)
				return false
			}
			if !rr.fill() {
				return false
			}
			continue
		}
		if n > rr.max {
			rr.err = fmt.Errorf("line %d: record longer than %d bytes (raise Options.MaxRecordBytes): %w", rr.line, rr.max, format.ErrUnsupported)
			return false
		}
		rr.recLine, rr.recBytes = rr.line, n
		rr.start += n
		rr.line += int64(lines)
		if len(rr.spans) == 1 && !rr.spans[0].quoted && rr.spans[0].from == rr.spans[0].to {
			continue // a blank line
		}
		rr.resolve(n)
		return true
	}
}

// resolve turns the spans of the record just consumed (n bytes ending at
// start) into fields.
func (rr *recordReader) resolve(n int) {
	base := rr.start - n
	rr.fields = rr.fields[:0]
	for _, s := range rr.spans {
		if s.quoted {
			rr.fields = append(rr.fields, field{text: rr.scratch[s.from:s.to], quoted: true})
		} else {
			rr.fields = append(rr.fields, field{text: rr.buf[base+s.from : base+s.to]})
		}
	}
}

// parse reads one record at start. It reports how many bytes and line
// breaks it took, or complete=false when the buffer ends first and more
// may come. Unquoted spans are offsets from start.
func (rr *recordReader) parse() (n, lines int, complete bool, err error) {
	b := rr.buf[rr.start:rr.end]
	rr.spans, rr.scratch = rr.spans[:0], rr.scratch[:0]
	i := 0
	for {
		if len(rr.spans) >= rr.maxFields {
			return 0, 0, false, fmt.Errorf("line %d: %w: more than %d fields", rr.line, format.ErrCorrupt, rr.maxFields-1)
		}
		if i < len(b) && b[i] == '"' {
			var ok bool
			i, ok, err = rr.quoted(b, i+1, &lines)
			if err != nil || !ok {
				return 0, 0, false, err
			}
		} else {
			j := i
			for j < len(b) && b[j] != rr.delim && b[j] != '\n' {
				j++
			}
			if j == len(b) && !rr.eof {
				return 0, 0, false, nil
			}
			to := j
			if to > i && b[to-1] == '\r' && (j == len(b) || b[j] == '\n') {
				to--
			}
			rr.spans = append(rr.spans, span{from: i, to: to})
			i = j
		}
		switch {
		case i == len(b): // the last record has no line break
			return i, lines, true, nil
		case b[i] == rr.delim:
			i++
		case b[i] == '\n':
			return i + 1, lines + 1, true, nil
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			return i + 2, lines + 1, true, nil
		case b[i] == '\r' && i+1 == len(b) && !rr.eof:
			return 0, 0, false, nil
		default:
			return 0, 0, false, fmt.Errorf("line %d: %w: %s after a closing quote (a quote inside a quoted field must be doubled)",
				rr.line+int64(lines), format.ErrCorrupt, quoteByte(b[i]))
		}
	}
}

// quoted reads a quoted field whose content starts at i, unescaping it
// into scratch. It returns the index after the closing quote, or ok=false
// when the buffer ends before it.
func (rr *recordReader) quoted(b []byte, i int, lines *int) (next int, ok bool, err error) {
	from := len(rr.scratch)
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			if rr.eof {
				return 0, false, fmt.Errorf("line %d: %w: quoted field never closed", rr.line+int64(*lines), format.ErrCorrupt)
			}
			return 0, false, nil
		}
		seg := b[i : i+j]
		*lines += bytes.Count(seg, []byte{'\n'})
		rr.scratch = append(rr.scratch, seg...)
		i += j + 1
		if i < len(b) && b[i] == '"' {
			rr.scratch = append(rr.scratch, '"')
			i++
			continue
		}
		if i == len(b) && !rr.eof {
			return 0, false, nil // the next byte may be a second quote
		}
		rr.spans = append(rr.spans, span{from: from, to: len(rr.scratch), quoted: true})
		return i, true, nil
	}
}

// fill reads more of the stream, moving the unread bytes to the front of
// the buffer and growing it when a record does not fit.
func (rr *recordReader) fill() bool {
	if rr.start > 0 {
		n := copy(rr.buf, rr.buf[rr.start:rr.end])
		rr.start, rr.end = 0, n
	}
	if rr.end == len(rr.buf) {
		size := min(max(2*len(rr.buf), readSize), rr.max+readSize)
		grown := make([]byte, size)
		copy(grown, rr.buf[:rr.end])
		rr.buf = grown
	}
	n, err := io.ReadAtLeast(rr.r, rr.buf[rr.end:], 1)
	rr.end += n
	switch {
	case err == io.EOF:
		rr.eof = true
	case err != nil:
		rr.err = textio.CompressedError(rr.c, err)
		return false
	}
	return true
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
