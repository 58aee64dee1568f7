package dataset

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

func newTextWriter(w io.Writer, schema *arrow.Schema, kind format.Kind, opts WriteOptions) (format.Writer, error) {
	return nil, fmt.Errorf("%w: writing %s", format.ErrUnsupported, kind)
}
