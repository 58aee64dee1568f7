package dataset

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParseTrainState feeds state documents to ParseTrainState and, when
// one parses, resumes a small dataset and a mix from it: nothing may
// panic or hang, a parsed state must survive a JSON round trip, and a
// stream resumed from it delivers at most its Len samples.
func FuzzParseTrainState(f *testing.F) {
	fx := trainFixture{ext: ".arrow", sizes: []int64{40, 0, 25}, batchRows: 16}
	paths := fx.write(f)
	ds := openTrain(f, paths)
	part := openTrain(f, trainFixture{ext: ".arrow", sizes: []int64{10}, batchRows: 4, first: 1000}.write(f))
	mix := MixOptions{Weights: []float64{2, 1}, Window: 6}
	for _, o := range []TrainOptions{{Mode: ShuffleBlock, Window: 8, World: 3}, {Mode: ShuffleBuffer, BufferSize: 5}, {Mode: ShuffleGlobal, Seed: 9}} {
		s, err := ds.Train(o)
		if err != nil {
			f.Fatal(err)
		}
		st, _ := s.State(s.RankLen() / 2)
		doc, _ := json.Marshal(st)
		f.Add(doc)
		s.Close()
		m, err := TrainMix([]*Dataset{ds, part}, mix, o)
		if err != nil {
			f.Fatal(err)
		}
		st, _ = m.State(m.RankLen() / 3)
		doc, _ = json.Marshal(st)
		f.Add(doc)
		m.Close()
	}
	f.Add([]byte(`{"version":1,"mode":"global","window":1,"buffer_size":1,"consumed":9223372036854775807}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		st, err := ParseTrainState(doc)
		if err != nil {
			return
		}
		again, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseTrainState(again)
		if err != nil || !reflect.DeepEqual(back, st) {
			t.Fatalf("state %s does not survive a round trip: %v", again, err)
		}
		var s *TrainStream
		if st.Mix == nil {
			s, err = ds.Train(TrainOptions{World: 2, Resume: st})
		} else {
			s, err = TrainMix([]*Dataset{ds, part}, mix, TrainOptions{Resume: st})
		}
		if err != nil {
			return
		}
		defer s.Close()
		var n int64
		for b, err := range s.Batches(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			n += b.NumRows()
		}
		if n != s.Len() {
			t.Fatalf("resumed stream delivered %d samples, its Len is %d", n, s.Len())
		}
	})
}
