package dataset

import "errors"

// Sentinel errors of the training stream; match them with errors.Is.
var (
	// ErrTrainConfig marks TrainOptions or MixOptions that describe no
	// training order: a rank outside the world, a negative start, an
	// unknown shuffle mode, weights that cannot be apportioned, a state
	// document that does not parse.
	ErrTrainConfig = errors.New("dataset: invalid training configuration")
	// ErrStateMismatch marks a TrainState written for another dataset, mix
	// or version of the order: resuming from it would deliver other
	// samples than the run that wrote it, so it is refused.
	ErrStateMismatch = errors.New("dataset: training state does not match")
)
