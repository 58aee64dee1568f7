package stream

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine is left over after all tests;
// the concurrent tests also check with goleak.VerifyNone one by one.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
