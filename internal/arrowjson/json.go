package arrowjson

import "encoding/json"

// The structs below mirror the integration JSON document. Values whose JSON
// kind depends on the Arrow type (DATA, OFFSET, SIZE) stay raw until the
// type is known: 64-bit integers are written as strings, narrower ones as
// numbers, intervals as objects, binary as hex.

type jsonDocument struct {
	Schema       *jsonSchema      `json:"schema"`
	Dictionaries []jsonDictionary `json:"dictionaries"`
	Batches      []jsonBatch      `json:"batches"`
}

type jsonSchema struct {
	Fields   []jsonField `json:"fields"`
	Metadata []jsonKV    `json:"metadata"`
}

type jsonField struct {
	Name       string          `json:"name"`
	Type       json.RawMessage `json:"type"`
	Nullable   bool            `json:"nullable"`
	Children   []jsonField     `json:"children"`
	Dictionary *jsonEncoding   `json:"dictionary"`
	Metadata   []jsonKV        `json:"metadata"`
}

// jsonEncoding is a field's "dictionary" member: the field's type is the
// dictionary's value type and its column holds indices.
type jsonEncoding struct {
	ID        int64           `json:"id"`
	IndexType json.RawMessage `json:"indexType"`
	IsOrdered bool            `json:"isOrdered"`
}

type jsonKV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// jsonType holds every member any "type" object may have; which ones
// matter depends on Name. Precision is a string for floating point and a
// number for decimals, so it stays raw.
type jsonType struct {
	Name       string          `json:"name"`
	BitWidth   *int            `json:"bitWidth"`
	IsSigned   bool            `json:"isSigned"`
	Precision  json.RawMessage `json:"precision"`
	Scale      int32           `json:"scale"`
	Unit       string          `json:"unit"`
	Timezone   string          `json:"timezone"`
	ByteWidth  int             `json:"byteWidth"`
	ListSize   int32           `json:"listSize"`
	KeysSorted bool            `json:"keysSorted"`
	Mode       string          `json:"mode"`
	TypeIDs    []int32         `json:"typeIds"`
}

type jsonDictionary struct {
	ID   int64     `json:"id"`
	Data jsonBatch `json:"data"`
}

type jsonBatch struct {
	Count   int64        `json:"count"`
	Columns []jsonColumn `json:"columns"`
}

type jsonColumn struct {
	Name     string            `json:"name"`
	Count    int64             `json:"count"`
	Validity []int             `json:"VALIDITY"`
	Data     []json.RawMessage `json:"DATA"`
	Offset   []json.RawMessage `json:"OFFSET"`
	Size     []json.RawMessage `json:"SIZE"`
	TypeID   []int             `json:"TYPE_ID"`
	Views    []jsonView        `json:"VIEWS"`
	Variadic []string          `json:"VARIADIC_DATA_BUFFERS"`
	Children []jsonColumn      `json:"children"`
}

// jsonView is one element of a binary or utf8 view column: either inlined
// (at most 12 bytes) or a prefix and a reference into a variadic buffer.
type jsonView struct {
	Size        int64   `json:"SIZE"`
	Inlined     *string `json:"INLINED"`
	PrefixHex   *string `json:"PREFIX_HEX"`
	BufferIndex *int64  `json:"BUFFER_INDEX"`
	Offset      *int64  `json:"OFFSET"`
}
