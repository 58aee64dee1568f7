package order

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// Fingerprint returns a stable hash of a dataset's shard row counts and
// any extra strings that identify it (a manifest digest, the split, the
// selected columns), so that a State is only resumed on the dataset it was
// written for. It is 32 hexadecimal digits (128 bits of SHA-256) and
// changes with the shard count, any shard's row count, the order of the
// shards, and any extra string or their order.
func Fingerprint(shardRows []int64, extra ...string) string {
	h := sha256.New()
	var buf [binary.MaxVarintLen64]byte
	word := func(v uint64) {
		h.Write(binary.AppendUvarint(buf[:0], v))
	}
	h.Write([]byte("tome/order fingerprint v1\x00"))
	word(uint64(len(shardRows)))
	for _, n := range shardRows {
		h.Write(binary.AppendVarint(buf[:0], n))
	}
	// Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
	word(uint64(len(extra)))
	for _, s := range extra {
		word(uint64(len(s)))
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
