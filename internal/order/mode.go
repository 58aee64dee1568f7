package order

import (
	"fmt"
	"strings"
)

// Mode is how an epoch's samples are shuffled. The zero Mode is None.
type Mode uint8

const (
	// None delivers the rows in manifest order: shards in order, rows in
	// order within a shard.
	None Mode = iota
	// Shards permutes the shard order per epoch and keeps the rows of a
	// shard in order: the cheapest shuffle, and a weak one.
	Shards
	// Block permutes the shard order, then permutes the positions inside
	// consecutive windows of Config.Window positions of that sequence. A
	// window touches few shards, so it streams well from remote storage.
	Block
	// Global is a full permutation of all rows, computed one position at
	// a time by a keyed bijection. It needs random access to the rows.
	Global
	// Buffer is the shuffle buffer of Hugging Face datasets and
	// WebDataset, applied after a shard-order shuffle: rows move at most
	// about Config.BufferSize positions earlier.
	Buffer

	numModes
)

var modeNames = [numModes]string{"none", "shards", "block", "global", "buffer"}

// String returns the mode's name as ParseMode accepts it.
func (m Mode) String() string {
	if m < numModes {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// ParseMode returns the mode named s: none, shards, block, global or
// buffer, in any case.
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if strings.EqualFold(s, name) {
			return Mode(m), nil
		}
	}
	return 0, invalidf("unknown shuffle mode %q, want one of %s", s, strings.Join(modeNames[:], ", "))
}

// MarshalText lets a Mode appear by name in JSON and YAML.
func (m Mode) MarshalText() ([]byte, error) {
	if m >= numModes {
		return nil, invalidf("unknown shuffle mode %d", uint8(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText parses a mode name, as ParseMode does.
func (m *Mode) UnmarshalText(text []byte) error {
	v, err := ParseMode(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
