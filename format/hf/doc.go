// Package hf speaks the metadata of Hugging Face datasets: its features
// (the typed description of a dataset's columns) and their mapping to and
// from Arrow schemas, and the JSON files of the save_to_disk layout.
//
// # Features
//
// datasets stores a dataset's Features in the Arrow schema metadata key
// "huggingface" as {"info": {"features": {...}}}, and in dataset_info.json.
// A Feature is a tree: Value (a scalar of an Arrow type named by a dtype
// string), ClassLabel (int64 with class names), List and LargeList
// (variable- or fixed-length), a dict of sub-features (Struct here),
// Array2D to Array5D, the media features Image, Audio, Video, Pdf and
// Nifti (all stored as struct<bytes: binary, path: string>), Translation
// and TranslationVariableLanguages.
//
// Parsing accepts what every datasets version wrote: datasets 4's List,
// the legacy Sequence (including TensorFlow Datasets' convention that a
// Sequence of a dict is a dict of lists) and [feature] list literals,
// "id": null and the other keys of older versions, and feature types this
// package does not know, which are kept verbatim. Writing gives back the
// parsed JSON byte for byte (in datasets' own Python json.dumps spelling);
// features built in Go are written as a current datasets writes them.
//
// Features.Arrow maps features to the Arrow schema datasets would use
// (get_nested_type); FromArrow infers features from Arrow types alone
// (generate_from_arrow_type); FromSchema combines the two as datasets'
// Features.from_arrow_schema does, trusting the metadata only where it
// matches the data. ArrayND columns are nested lists carrying datasets'
// extension type in Arrow's field-level extension metadata, which is what
// arrow-go leaves on a field it has no extension type registered for and
// what pyarrow uses to rebuild the extension.
//
// # The save_to_disk layout
//
// A saved Dataset is a directory of data-NNNNN-of-NNNNN.arrow files (Arrow
// IPC stream format) with dataset_info.json (DatasetInfo) and state.json
// (State, listing the data files in order); a saved DatasetDict is a
// directory with dataset_dict.json (DatasetDict) and one such directory
// per split. The Read functions accept any datasets version's files; the
// Write functions write atomically what a current datasets writes, so
// that datasets.load_from_disk opens the result.
//
// # Errors
//
// Malformed JSON, or JSON of the wrong shape, gives errors wrapping
// format.ErrCorrupt; a Git LFS pointer in place of a file gives
// format.ErrNotData; a feature or dtype with no Arrow equivalent, or an
// Arrow type datasets cannot describe, gives format.ErrUnsupported.
// Nesting depth and the sizes of files and implied class lists are
// bounded, so hostile input cannot exhaust memory or the stack.
//
// # Concurrency
//
// Features and the file types are plain values: safe for concurrent
// reads, not for concurrent modification.
package hf
