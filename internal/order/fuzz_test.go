package order

import (
	"errors"
	"testing"
)

// FuzzParseState feeds arbitrary documents to the state decoder and
// resumes whatever it accepts: no input may panic, and an accepted state
// must give a plan that keeps its own invariants.
func FuzzParseState(f *testing.F) {
	f.Add([]byte(`{"version":1,"fingerprint":"x","seed":5,"epoch":1,"mode":"buffer","window":3,"buffer_size":4,"world":2,"rank":1,"consumed":3}`))
	f.Add([]byte(`{"version":1,"mode":"block","window":1073741824,"buffer_size":16777216,"consumed":9223372036854775807}`))
	f.Add([]byte(`{"version":1,"mode":"global","window":2,"buffer_size":1,"epoch":2147483647}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	rows := []int64{3, 0, 9, 1}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseState(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseState error %v is not ErrInvalid", err)
			}
			return
		}
		s.Fingerprint = Fingerprint(rows)
		for rank := range 3 {
			cfg, err := Resume(Config{ShardRows: rows, World: 3, Rank: rank, Workers: 2, Worker: rank % 2}, s)
			if err != nil {
				if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrMismatch) {
					t.Fatalf("Resume error %v is neither ErrInvalid nor ErrMismatch", err)
				}
				return
			}
			checkPlan(t, mustPlan(t, cfg))
		}
	})
}

// FuzzPlan draws configurations from fuzzed parameters, valid or not:
// NewPlan refuses the invalid ones with ErrInvalid and every plan it
// returns keeps its invariants.
func FuzzPlan(f *testing.F) {
	f.Add([]byte{3, 0, 7, 1}, uint64(1), 0, uint8(2), 4, 3, 2, 1, 1, 0, false, int64(0))
	f.Add([]byte{}, uint64(9), 3, uint8(4), 1, 1, 1, 0, 1, 0, true, int64(2))
	f.Add([]byte{255, 255, 1}, uint64(0), 1, uint8(3), 0, 0, 5, 4, 3, 2, false, int64(100))
	f.Fuzz(func(t *testing.T, shardBytes []byte, seed uint64, epoch int, mode uint8, window, buffer, world, rank, workers, worker int, drop bool, start int64) {
		if len(shardBytes) > 64 {
			shardBytes = shardBytes[:64]
		}
		shards := make([]int64, len(shardBytes))
		for i, b := range shardBytes {
			shards[i] = int64(b)
		}
		cfg := Config{
			ShardRows: shards, Seed: seed, Epoch: epoch, Mode: Mode(mode),
			// Keep the buffer's memory and the world's round small
			// enough to iterate; out-of-range values still reach
			// Validate through the sign.
			Window: window % 1024, BufferSize: buffer % 4096,
			World: world % 64, Rank: rank, Workers: workers % 8, Worker: worker,
			DropRemainder: drop, Start: start,
		}
		p, err := NewPlan(cfg)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("NewPlan error %v is not ErrInvalid", err)
			}
			return
		}
		checkPlan(t, p)
	})
}

// checkPlan checks that every row is in range, that All and At agree (on
// up to about 200 samples, since At costs O(BufferSize) in Buffer mode),
// and that windows hold their samples.
func checkPlan(t *testing.T, p *Plan) {
	t.Helper()
	every := max(1, p.Len()/200)
	for k, row := range p.All(0) {
		if row < 0 || row >= p.Rows() {
			t.Fatalf("sample %d is row %d of %d", k, row, p.Rows())
		}
		if k%every != 0 {
			continue
		}
		if at := p.At(k); at != row {
			t.Fatalf("At(%d) = %d, All yields %d", k, at, row)
		}
		if w, ok := p.WindowOf(k); ok && (k < w.Local.Start || k >= w.Local.End) {
			t.Fatalf("WindowOf(%d) = %+v, which does not hold it", k, w.Local)
		}
	}
}
