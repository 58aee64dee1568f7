package parquet

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
)

// encodeHybrid writes values as RLE/bit-packed hybrid runs of width bits:
// runs of 8 or more equal values as RLE, the rest bit-packed in groups of
// eight (the last group padded with zeros).
func encodeHybrid(values []uint32, width int) []byte {
	var out []byte
	for i := 0; i < len(values); {
		j := i
		for j < len(values) && values[j] == values[i] {
			j++
		}
		if j-i >= 8 {
			out = binary.AppendUvarint(out, uint64(j-i)<<1)
			for b := range (width + 7) / 8 {
				out = append(out, byte(values[i]>>(8*b)))
			}
			i = j
			continue
		}
		n := min(8, len(values)-i)
		group := make([]uint32, 8)
		copy(group, values[i:i+n])
		out = binary.AppendUvarint(out, 1<<1|1)
		packed := make([]byte, width)
		for k, v := range group {
			for bit := range width {
				if v>>bit&1 == 1 {
					pos := k*width + bit
					packed[pos/8] |= 1 << (pos % 8)
				}
			}
		}
		out = append(out, packed...)
		i += n
	}
	return out
}

func TestHybridReaderRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, width := range []int{1, 2, 3, 7, 8, 12, 17, 31, 32} {
		values := make([]uint32, 5000)
		for i := range values {
			if rng.IntN(3) == 0 && i > 0 {
				values[i] = values[i-1] // runs
			} else {
				values[i] = uint32(rng.Uint64() & (1<<width - 1))
			}
		}
		enc := encodeHybrid(values, width)
		var r hybridReader[uint32]
		if err := r.reset(enc, width); err != nil {
			t.Fatal(err)
		}
		// Read in uneven windows, as the decoder does across batches.
		var got []uint32
		for len(got) < len(values) {
			k := min(len(values)-len(got), 1+rng.IntN(700))
			buf := make([]uint32, k)
			if err := r.read(buf); err != nil {
				t.Fatalf("width %d after %d values: %v", width, len(got), err)
			}
			got = append(got, buf...)
		}
		if !slices.Equal(got, values) {
			t.Fatalf("width %d: values differ", width)
		}
		// Past the end there is only the last group's padding, then an error.
		if err := r.read(make([]uint32, 64)); err == nil {
			t.Fatalf("width %d: reading past the end succeeded", width)
		}
	}
}

func TestHybridReaderMalformed(t *testing.T) {
	for name, src := range map[string][]byte{
		"empty":             nil,
		"truncated varint":  {0x80},
		"rle without value": {8 << 1},
		"rle value too big": {8 << 1, 0x07}, // width 2 holds at most 3
		"huge group count":  binary.AppendUvarint(nil, 1<<40|1),
	} {
		var r hybridReader[uint8]
		if err := r.reset(src, 2); err != nil {
			t.Fatal(err)
		}
		if err := r.read(make([]uint8, 10)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	var r hybridReader[uint8]
	if err := r.reset(nil, 33); err == nil {
		t.Error("bit width 33 accepted")
	}
}

func TestLevelReaderBitPacked(t *testing.T) {
	// The deprecated BIT_PACKED encoding packs from the most significant
	// bit: levels 1,0,1,1 of width 1 are 0b1011_0000; levels 2,1,3 of
	// width 2 are 0b10_01_11_00.
	var r levelReader
	used, err := r.reset([]byte{0b1011_0000, 0xff}, encBitPacked, 1, true, 4)
	if err != nil || used != 1 {
		t.Fatalf("reset: %d, %v", used, err)
	}
	got := make([]uint8, 4)
	if err := r.read(got); err != nil || !slices.Equal(got, []uint8{1, 0, 1, 1}) {
		t.Fatalf("width 1: %v, %v", got, err)
	}
	if _, err := r.reset([]byte{0b10_01_11_00}, encBitPacked, 3, true, 3); err != nil {
		t.Fatal(err)
	}
	got = make([]uint8, 3)
	if err := r.read(got); err != nil || !slices.Equal(got, []uint8{2, 1, 3}) {
		t.Fatalf("width 2: %v, %v", got, err)
	}
	if err := r.read(make([]uint8, 2)); err == nil {
		t.Fatal("reading past the levels succeeded")
	}
	if _, err := r.reset([]byte{1}, encBitPacked, 1, true, 9); err == nil {
		t.Fatal("9 levels in one byte accepted")
	}
}

func TestLevelReaderRLEPrefixed(t *testing.T) {
	runs := encodeHybrid([]uint32{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1}, 1)
	section := binary.LittleEndian.AppendUint32(nil, uint32(len(runs)))
	section = append(append(section, runs...), 0xAA) // values follow
	var r levelReader
	used, err := r.reset(section, encRLE, 1, true, 11)
	if err != nil || used != 4+len(runs) {
		t.Fatalf("reset: %d, %v", used, err)
	}
	got := make([]uint8, 11)
	if err := r.read(got); err != nil || !slices.Equal(got, []uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1}) {
		t.Fatalf("%v, %v", got, err)
	}
	if _, err := r.reset([]byte{200, 0, 0, 0, 1}, encRLE, 1, true, 1); err == nil {
		t.Fatal("a section longer than the page accepted")
	}
}

func TestLevelReaderSkipRun(t *testing.T) {
	runs := encodeHybrid([]uint32{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1}, 1)
	var r levelReader
	if _, err := r.reset(runs, encRLE, 1, false, 11); err != nil {
		t.Fatal(err)
	}
	// Before any run is read, skipRun looks at the first one.
	if r.skipRun(10, 1) || r.skipRun(9, 0) {
		t.Fatal("skipped past the first run, or a run of another value")
	}
	first := make([]uint8, 1)
	if err := r.read(first); err != nil || first[0] != 1 {
		t.Fatalf("%v, %v", first, err)
	}
	if r.skipRun(8, 0) || r.skipRun(9, 1) {
		t.Fatal("skipped a run of another value, or past the run")
	}
	if !r.skipRun(8, 1) {
		t.Fatal("did not skip the rest of the run")
	}
	// The next run is bit-packed: nothing is skipped, and it reads whole.
	if r.skipRun(1, 0) {
		t.Fatal("skipped into a bit-packed run")
	}
	rest := make([]uint8, 2)
	if err := r.read(rest); err != nil || !slices.Equal(rest, []uint8{0, 1}) {
		t.Fatalf("after the skip: %v, %v", rest, err)
	}

	// A malformed run is not skipped, and read still reports it.
	if _, err := r.reset([]byte{0x80}, encRLE, 1, false, 1); err != nil {
		t.Fatal(err)
	}
	if r.skipRun(1, 1) {
		t.Fatal("skipped a malformed run")
	}
	if err := r.read(first); err == nil {
		t.Fatal("a malformed run read without an error")
	}
}

// TestHybridZeros checks zeros against expanding the same one-bit stream,
// read in pieces of random sizes so that pieces start and end inside runs
// and inside bytes of a bit-packed run, including runs of many groups.
func TestHybridZeros(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	for trial := range 200 {
		values := make([]uint32, 1+rng.IntN(3000))
		for i := range values {
			switch {
			case i > 0 && rng.IntN(4) != 0:
				values[i] = values[i-1] // runs of either value
			default:
				values[i] = uint32(rng.IntN(2))
			}
		}
		var enc []byte
		if trial%2 == 0 {
			enc = encodeHybrid(values, 1)
		} else {
			// One bit-packed run of every group, as writers that do not
			// look for runs write it.
			groups := (len(values) + 7) / 8
			enc = binary.AppendUvarint(nil, uint64(groups)<<1|1)
			packed := make([]byte, groups)
			for i, v := range values {
				packed[i/8] |= byte(v) << (i % 8)
			}
			enc = append(enc, packed...)
		}
		var want []int32
		for i, v := range values {
			if v == 0 {
				want = append(want, int32(i))
			}
		}
		var r hybridReader[uint8]
		if err := r.reset(enc, 1); err != nil {
			t.Fatal(err)
		}
		var got []int32
		for at := 0; at < len(values); {
			k := min(len(values)-at, 1+rng.IntN(100))
			piece, err := r.zeros(k, nil)
			if err != nil {
				t.Fatalf("trial %d at %d: %v", trial, at, err)
			}
			for _, p := range piece {
				if p < 0 || int(p) >= k {
					t.Fatalf("trial %d at %d: position %d outside a piece of %d", trial, at, p, k)
				}
				got = append(got, int32(at)+p)
			}
			at += k
		}
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d: zeros at %v, want %v", trial, got, want)
		}
	}
	var r hybridReader[uint8]
	if err := r.reset(encodeHybrid([]uint32{0, 1, 0}, 1), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := r.zeros(9, nil); err == nil { // one group of eight holds them
		t.Errorf("reading past the stream's end: no error")
	}
	if err := r.reset(encodeHybrid([]uint32{0, 1, 2}, 2), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := r.zeros(3, nil); err == nil {
		t.Errorf("zeros of a 2-bit stream: no error")
	}
}
