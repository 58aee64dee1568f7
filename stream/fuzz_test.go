package stream

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"
)

// FuzzMixRestore feeds arbitrary JSON to Mixer.Restore, the one place this
// package reads data it did not produce (a checkpoint). Restore must
// either refuse the state or yield a mix that ends or fails cleanly; and a
// state the mixer really had must continue the reference mix exactly.
func FuzzMixRestore(f *testing.F) {
	lengths := []int{7, 3, 11}
	for _, stop := range []StopStrategy{FirstExhausted, AllExhausted} {
		_, fns := tagSources(lengths...)
		m := must(NewMixer(fuzzMixConfig(stop), fns...))
		f.Add(byte(stop), []byte(`{"position":0,"sources":[{},{},{}]}`))
		for _, err := range m.All() {
			if err != nil {
				f.Fatal(err)
			}
			if m.State().Position%4 == 1 {
				f.Add(byte(stop), must(json.Marshal(m.State())))
			}
		}
	}
	f.Add(byte(1), []byte(`{"position":9223372036854775807,"sources":[{"taken":9223372036854775807,"passes":1},{"passes":-1},{}]}`))
	f.Add(byte(0), []byte(`{"position":3,"sources":null}`))
	f.Add(byte(1), []byte(`not json`))

	f.Fuzz(func(t *testing.T, stopByte byte, data []byte) {
		stop := StopStrategy(stopByte % 2)
		var st MixState
		if json.Unmarshal(data, &st) != nil {
			return
		}
		_, fns := tagSources(lengths...)
		ref := must(NewMixer(fuzzMixConfig(stop), fns...))
		full, err := Collect(ref.All())
		if err != nil {
			t.Fatal(err)
		}
		_, fns = tagSources(lengths...)
		m := must(NewMixer(fuzzMixConfig(stop), fns...))
		if m.Restore(st) != nil {
			return
		}
		tail, err := Collect(Take(m.All(), 1000))
		if st.Position > int64(len(full)) {
			return
		}
		if want, _ := ref.StateAt(st.Position); reflect.DeepEqual(want, st) {
			if err != nil || !slices.Equal(tail, full[st.Position:]) {
				t.Fatalf("state %s: resumed with %v, %v; want %v", data, tail, err, full[st.Position:])
			}
		}
	})
}

func fuzzMixConfig(stop StopStrategy) MixConfig {
	return MixConfig{Weights: []float64{0.5, 0.2, 0.3}, Window: 10, Seed: 3, Stop: stop}
}

// FuzzShuffle checks Shuffle's promises for any seed, buffer and length:
// a permutation, the same on every run, that moves no element n or more
// places earlier.
func FuzzShuffle(f *testing.F) {
	f.Add(uint64(0), uint16(1), uint16(0))
	f.Add(uint64(42), uint16(7), uint16(100))
	f.Add(uint64(math.MaxUint64), uint16(600), uint16(599))
	f.Fuzz(func(t *testing.T, seed uint64, n, length uint16) {
		size, count := int(n%700)+1, int(length%700)
		in := rangeInts(count)
		got := must(Collect(Shuffle(FromSlice(in), size, seed)))
		again := must(Collect(Shuffle(FromSlice(in), size, seed)))
		if !slices.Equal(got, again) {
			t.Fatal("two runs differ")
		}
		for pos, v := range got {
			if v > pos+size-1 {
				t.Fatalf("element %d at position %d with a buffer of %d", v, pos, size)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, in) {
			t.Fatal("not a permutation")
		}
	})
}

// FuzzApportion checks that any weights either are refused or give quotas
// that fill the window, leave no source out, and follow the weights' order.
func FuzzApportion(f *testing.F) {
	f.Add(0.7, 0.3, 1.0, uint32(10))
	f.Add(1e-300, 1e300, 1.0, uint32(1<<20))
	f.Add(math.NaN(), 1.0, 1.0, uint32(3))
	f.Fuzz(func(t *testing.T, a, b, c float64, window uint32) {
		weights := []float64{a, b, c}
		quotas, err := apportion(weights, int(window%(MaxMixWindow+2)))
		if err != nil {
			return
		}
		sum := 0
		for i, q := range quotas {
			sum += q
			if q < 1 {
				t.Fatalf("source %d has quota %d", i, q)
			}
			for j := range quotas {
				if weights[i] > weights[j] && quotas[i] < quotas[j] {
					t.Fatalf("weights %v gave quotas %v", weights, quotas)
				}
			}
		}
		if sum != int(window%(MaxMixWindow+2)) {
			t.Fatalf("quotas %v fill %d of %d", quotas, sum, window)
		}
	})
}
