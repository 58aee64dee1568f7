package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/tome-data/tome/internal/order"
	"github.com/tome-data/tome/stream"
)

// TrainState is a training stream's resume point: small JSON that, with
// the dataset it was fingerprinted for, determines exactly which samples
// are still to come. For example
//
//	{"version":1,"fingerprint":"9f2c...","seed":7,"epoch":0,"mode":"block",
//	 "window":65536,"buffer_size":1000,"world":8,"rank":3,"consumed":1200000}
//
// Consumed is a global position: the samples all ranks together have
// delivered, wrap-around pads included. It does not depend on the world
// size, so a state resumes on any World: TrainOptions.Resume continues at
// exactly the next sample. World and Rank record who wrote it.
//
// The fingerprint binds the state to the shards' row counts, file names
// and sizes (and, for a mix, its weights); resuming on other data is an
// ErrStateMismatch error.
type TrainState struct {
	Version     int    `json:"version"`
	Fingerprint string `json:"fingerprint"`
	Seed        uint64 `json:"seed"`
	Epoch       int    `json:"epoch"`
	Mode        string `json:"mode"`
	Window      int    `json:"window"`
	BufferSize  int    `json:"buffer_size"`
	World       int    `json:"world"`
	Rank        int    `json:"rank"`
	Consumed    int64  `json:"consumed"`
	// Mix is set for a mix of datasets (TrainMix).
	Mix *TrainMixState `json:"mix,omitempty"`
}

// TrainMixState is the mixing part of a TrainState: the mix's parameters,
// and where each dataset stands at the state's position.
type TrainMixState struct {
	Weights []float64           `json:"weights"`
	Window  int                 `json:"window"`
	Stop    stream.StopStrategy `json:"stop"`
	// Position is the mix position of the next sample; Sources the samples
	// taken from each dataset's current pass and the passes completed.
	Position int64                   `json:"position"`
	Sources  []stream.MixSourceState `json:"sources"`
}

// ParseTrainState decodes a TrainState from its JSON, refusing unknown
// fields, trailing data and out-of-range values, as an ErrTrainConfig
// error. Whether it fits a dataset is checked when resuming.
func ParseTrainState(data []byte) (*TrainState, error) {
	var s TrainState
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: decoding training state: %w", ErrTrainConfig, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: decoding training state: data after the state object", ErrTrainConfig)
	}
	// The order's own parser checks the order's fields.
	b, err := json.Marshal(s.orderState())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTrainConfig, err)
	}
	if _, err := order.ParseState(b); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTrainConfig, err)
	}
	if m := s.Mix; m != nil {
		if len(m.Weights) == 0 || len(m.Sources) != len(m.Weights) || m.Position < 0 || m.Position > s.Consumed {
			return nil, fmt.Errorf("%w: training state's mix has %d weights, %d sources and position %d at consumed %d",
				ErrTrainConfig, len(m.Weights), len(m.Sources), m.Position, s.Consumed)
		}
	}
	return &s, nil
}

// orderState is the part of s the order package reads.
func (s *TrainState) orderState() order.State {
	return order.State{
		Version: s.Version, Fingerprint: s.Fingerprint,
		Seed: s.Seed, Epoch: s.Epoch, Mode: s.Mode,
		Window: s.Window, BufferSize: s.BufferSize,
		World: s.World, Rank: s.Rank, Consumed: s.Consumed,
	}
}

func stateFromOrder(s order.State) TrainState {
	return TrainState{
		Version: s.Version, Fingerprint: s.Fingerprint,
		Seed: s.Seed, Epoch: s.Epoch, Mode: s.Mode,
		Window: s.Window, BufferSize: s.BufferSize,
		World: s.World, Rank: s.Rank, Consumed: s.Consumed,
	}
}
