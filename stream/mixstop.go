package stream

import "fmt"

// StopStrategy says when a Mix ends.
type StopStrategy int

const (
	// FirstExhausted ends the mix as soon as any source runs out, so no
	// element is repeated (the default, as in Hugging Face datasets'
	// interleave_datasets).
	FirstExhausted StopStrategy = iota
	// AllExhausted restarts sources that run out (oversampling) until
	// every source has run out at least once.
	AllExhausted
)

// String returns the Hugging Face name of the strategy.
func (s StopStrategy) String() string {
	switch s {
	case FirstExhausted:
		return "first_exhausted"
	case AllExhausted:
		return "all_exhausted"
	}
	return fmt.Sprintf("StopStrategy(%d)", int(s))
}

// MarshalText encodes the strategy by its Hugging Face name.
func (s StopStrategy) MarshalText() ([]byte, error) {
	if s != FirstExhausted && s != AllExhausted {
		return nil, invalidf("mix stop strategy %d is unknown", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes "first_exhausted" or "all_exhausted".
func (s *StopStrategy) UnmarshalText(b []byte) error {
	switch string(b) {
	case "first_exhausted":
		*s = FirstExhausted
	case "all_exhausted":
		*s = AllExhausted
	default:
		return invalidf("mix stop strategy %q is unknown, want first_exhausted or all_exhausted", b)
	}
	return nil
}
