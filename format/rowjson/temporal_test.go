package rowjson

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestCivilMatchesTime checks the calendar arithmetic against package time
// over five millennia either side of the epoch.
func TestCivilMatchesTime(t *testing.T) {
	for days := int64(-719528); days <= 2932896; days += 7 {
		y, m, d := civil(days)
		tm := time.Unix(days*secondsPerDay, 0).UTC()
		if int(y) != tm.Year() || time.Month(m) != tm.Month() || int(d) != tm.Day() {
			t.Fatalf("civil(%d) = %d-%d-%d, want %s", days, y, m, d, tm.Format(time.DateOnly))
		}
	}
}

// TestAppendTimestampMatchesTime checks random instants in years 0-9999
// against time.Time.Format in every unit.
func TestAppendTimestampMatchesTime(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const minSec, maxSec = -62167219200, 253402300799 // 0000-01-01 .. 9999-12-31
	layouts := map[arrow.TimeUnit]string{
		arrow.Second:      `"2006-01-02T15:04:05`,
		arrow.Millisecond: `"2006-01-02T15:04:05.000`,
		arrow.Microsecond: `"2006-01-02T15:04:05.000000`,
		arrow.Nanosecond:  `"2006-01-02T15:04:05.000000000`,
	}
	for range 20000 {
		unit := arrow.TimeUnit(r.IntN(4))
		perSecond, _ := unitScale(unit)
		sec := minSec + r.Int64N(maxSec-minSec)
		if unit == arrow.Nanosecond {
			sec = r.Int64N(18e9) - 9e9 // within what int64 nanoseconds reach
		}
		frac := r.Int64N(perSecond)
		v := sec*perSecond + frac
		tm := time.Unix(sec, frac*(1e9/perSecond)).UTC()
		zoned := r.IntN(2) == 0
		want := tm.Format(layouts[unit])
		if zoned {
			want += "Z"
		}
		want += `"`
		if got := string(appendTimestamp(nil, v, unit, zoned)); got != want {
			t.Fatalf("appendTimestamp(%d, %s) = %s, want %s", v, unit, got, want)
		}
	}
}
