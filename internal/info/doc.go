// Package info describes a dataset from its files' metadata: the object
// that `tome info --json` prints and that tome serve answers for
// GET /v1/datasets/{name}. Keeping it in one place keeps the two identical.
package info
