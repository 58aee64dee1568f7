package gen

import "github.com/apache/arrow-go/v18/arrow"

// EmbeddingDim is the length of every embedding.
const EmbeddingDim = 64

// ListSchema is the schema of the main data set with the embedding as a
// variable-length list.
var ListSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "label", Type: arrow.PrimitiveTypes.Float32},
	{Name: "text", Type: arrow.BinaryTypes.String},
	{Name: "embedding", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
}, nil)

// FixedSchema is ListSchema with the embedding as a fixed-size list, the way
// Hugging Face stores fixed-length sequences.
var FixedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "label", Type: arrow.PrimitiveTypes.Float32},
	{Name: "text", Type: arrow.BinaryTypes.String},
	{Name: "embedding", Type: arrow.FixedSizeListOf(EmbeddingDim, arrow.PrimitiveTypes.Float32)},
}, nil)
