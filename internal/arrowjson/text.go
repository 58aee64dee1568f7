package arrowjson

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tome-data/tome/format"
)

// readText reads the whole document, decompressing gzip.
func readText(r io.Reader) ([]byte, error) {
	src := &sourceReader{r: r}
	br := bufio.NewReader(src)
	r = br
	var zr *gzip.Reader
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		var err error
		if zr, err = gzip.NewReader(br); err != nil {
			return nil, fmt.Errorf("%w: gzip header: %v", format.ErrCorrupt, err)
		}
		defer zr.Close()
		r = zr
	}
	text, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		// Errors from a gzip stream over a sound reader are bad input: a
		// truncated stream, bad deflate data, a checksum mismatch.
		if zr != nil && src.err == nil {
			return nil, fmt.Errorf("%w: gzip stream: %v", format.ErrCorrupt, err)
		}
		return nil, err
	}
	if len(text) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: document larger than %d bytes", format.ErrUnsupported, MaxDocumentSize)
	}
	return text, nil
}

// sourceReader remembers the error of the reader under the decompressor,
// to tell a failing disk from a corrupt stream.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// jsonError turns a JSON decoding error into ErrCorrupt with its offset.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: invalid JSON at byte %d: %v", format.ErrCorrupt, syntax.Offset, err)
	case errors.As(err, &typ):
		return fmt.Errorf("%w: at byte %d: %s holds a JSON %s, want %s", format.ErrCorrupt, typ.Offset, typ.Field, typ.Value, typ.Type)
	}
	return fmt.Errorf("%w: %v", format.ErrCorrupt, err)
}
