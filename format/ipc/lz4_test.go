package ipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func TestXXH32(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint32
	}{
		{"", 0x02CC5D05},
		{"a", 0x550D7456},
		{"abc", 0x32D153FF},
		{"Nobody inspects the spammish repetition", 0xE2293B2F},
	} {
		if got := xxh32([]byte(c.in), 0); got != c.want {
			t.Errorf("xxh32(%q) = %#x, want %#x", c.in, got, c.want)
		}
	}
}

// lz4Block is one block of a test frame: raw bytes stored uncompressed, or
// an LZ4-compressed block given as its encoded sequences.
type lz4Block struct {
	data       []byte
	compressed bool
}

// lz4Frame builds a frame whose blocks decode to content; flg adds FLG bits
// (independence, checksums, content size) to version 01.
func lz4Frame(flg byte, content []byte, blocks ...lz4Block) []byte {
	out := binary.LittleEndian.AppendUint32(nil, lz4Magic)
	desc := []byte{0x40 | flg, 0x40} // version 01; 64 KiB blocks
	if flg&0x08 != 0 {
		desc = binary.LittleEndian.AppendUint64(desc, uint64(len(content)))
	}
	out = append(out, desc...)
	out = append(out, byte(xxh32(desc, 0)>>8))
	for _, b := range blocks {
		size := uint32(len(b.data))
		if !b.compressed {
			size |= 1 << 31
		}
		out = binary.LittleEndian.AppendUint32(out, size)
		out = append(out, b.data...)
		if flg&0x10 != 0 {
			out = binary.LittleEndian.AppendUint32(out, xxh32(b.data, 0))
		}
	}
	out = binary.LittleEndian.AppendUint32(out, 0) // end mark
	if flg&0x04 != 0 {
		out = binary.LittleEndian.AppendUint32(out, xxh32(content, 0))
	}
	return out
}

func TestLZ4Decode(t *testing.T) {
	// "abc" then a match 3 back of 9 bytes (overlapping: a run of "abc"),
	// then the literals "xyz".
	run := []byte{0x35, 'a', 'b', 'c', 3, 0, 0x30, 'x', 'y', 'z'}
	runOut := "abcabcabcabcxyz"
	// A block whose match reaches into the block before it.
	linked := []byte{0x00, 6, 0, 0x10, '!'}
	for _, c := range []struct {
		name  string
		frame []byte
		size  int
		want  string
		err   bool
	}{
		{"stored", lz4Frame(0x20, nil, lz4Block{data: []byte("hello")}), 5, "hello", false},
		{"run", lz4Frame(0x20, nil, lz4Block{data: run, compressed: true}), len(runOut), runOut, false},
		{"content size", lz4Frame(0x28, []byte(runOut), lz4Block{data: run, compressed: true}), len(runOut), runOut, false},
		{"checksums", lz4Frame(0x34, []byte(runOut), lz4Block{data: run, compressed: true}), len(runOut), runOut, false},
		{"linked", lz4Frame(0x00, nil, lz4Block{data: []byte("123456")}, lz4Block{data: linked, compressed: true}), 11, "1234561234!", false},
		{"independent blocks cannot link", lz4Frame(0x20, nil, lz4Block{data: []byte("123456")}, lz4Block{data: linked, compressed: true}), 11, "", true},
		{"too long for the output", lz4Frame(0x20, nil, lz4Block{data: run, compressed: true}), len(runOut) - 1, "", true},
		{"too short for the output", lz4Frame(0x20, nil, lz4Block{data: run, compressed: true}), len(runOut) + 1, "", true},
		{"wrong content size", lz4Frame(0x28, []byte("abc"), lz4Block{data: run, compressed: true}), len(runOut), "", true},
		{"offset zero", lz4Frame(0x20, nil, lz4Block{data: []byte{0x10, 'a', 0, 0}, compressed: true}), 5, "", true},
		{"offset before the data", lz4Frame(0x20, nil, lz4Block{data: []byte{0x10, 'a', 2, 0}, compressed: true}), 5, "", true},
		{"truncated length", lz4Frame(0x20, nil, lz4Block{data: []byte{0xF0, 0xFF}, compressed: true}), 300, "", true},
		{"empty", nil, 0, "", false},
		{"bad magic", []byte{1, 2, 3, 4, 5, 6, 7}, 0, "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dst := make([]byte, c.size)
			err := lz4DecodeFrames(dst, c.frame)
			if c.err {
				if !errors.Is(err, errLZ4) {
					t.Fatalf("got %v, want an lz4 error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(dst) != c.want {
				t.Fatalf("decoded %q, want %q", dst, c.want)
			}
		})
	}
}

func TestLZ4Checksums(t *testing.T) {
	frame := lz4Frame(0x34, []byte("hello"), lz4Block{data: []byte("hello")})
	for i := range frame {
		bad := bytes.Clone(frame)
		bad[i] ^= 0x01
		if err := lz4DecodeFrames(make([]byte, 5), bad); err == nil {
			t.Errorf("a flipped bit at %d went unnoticed", i)
		}
	}
}

// FuzzLZ4 decodes arbitrary frames into an output of arbitrary size: it
// must not panic, and must fill the output exactly when it succeeds.
func FuzzLZ4(f *testing.F) {
	f.Add(uint16(5), lz4Frame(0x20, nil, lz4Block{data: []byte("hello")}))
	f.Add(uint16(15), lz4Frame(0x34, []byte("abcabcabcabcxyz"), lz4Block{data: []byte{0x35, 'a', 'b', 'c', 3, 0, 0x30, 'x', 'y', 'z'}, compressed: true}))
	f.Add(uint16(11), lz4Frame(0x00, nil, lz4Block{data: []byte("123456")}, lz4Block{data: []byte{0x00, 6, 0, 0x10, '!'}, compressed: true}))
	f.Fuzz(func(t *testing.T, size uint16, frame []byte) {
		dst := make([]byte, size)
		_ = lz4DecodeFrames(dst, frame)
	})
}
