package csv

import "github.com/apache/arrow-go/v18/arrow"

// A column's votes over the sample.
type votes struct {
	seen         [numKinds]bool
	zoned, naive bool
	frac         int
}

func (v *votes) add(c cell) {
	v.seen[c.kind] = true
	switch c.kind {
	case cellTimestamp:
		v.zoned = v.zoned || c.zoned
		v.naive = v.naive || !c.zoned
		v.frac = max(v.frac, c.frac)
	case cellDate:
		v.naive = true
	}
}

// dataType resolves the votes: an all-empty column has the null type;
// integers widen to float64, dates to timestamps; anything else mixed is
// a string column.
func (v *votes) dataType() arrow.DataType {
	var kinds []cellKind
	for k := cellBool; k < numKinds; k++ {
		if v.seen[k] {
			kinds = append(kinds, k)
		}
	}
	has := func(ks ...cellKind) bool {
		if len(kinds) != len(ks) {
			return false
		}
		for i := range ks {
			if kinds[i] != ks[i] {
				return false
			}
		}
		return true
	}
	switch {
	case len(kinds) == 0:
		return arrow.Null
	case has(cellBool):
		return arrow.FixedWidthTypes.Boolean
	case has(cellInt):
		return arrow.PrimitiveTypes.Int64
	case has(cellFloat), has(cellInt, cellFloat):
		return arrow.PrimitiveTypes.Float64
	case has(cellDate):
		return arrow.FixedWidthTypes.Date32
	case (has(cellTimestamp) || has(cellDate, cellTimestamp)) && !(v.zoned && v.naive):
		return timestampType(v.frac, v.zoned)
	}
	return arrow.BinaryTypes.String
}

// timestampType picks the coarsest unit that holds every fraction seen;
// offsets make a UTC column.
func timestampType(frac int, zoned bool) *arrow.TimestampType {
	t := &arrow.TimestampType{Unit: arrow.Second}
	switch {
	case frac > 6:
		t.Unit = arrow.Nanosecond
	case frac > 3:
		t.Unit = arrow.Microsecond
	case frac > 0:
		t.Unit = arrow.Millisecond
	}
	if zoned {
		t.TimeZone = "UTC"
	}
	return t
}

// fits reports whether a cell classified after the sample fits a column
// of the inferred type dt.
func fits(c cell, dt arrow.DataType) bool {
	if c.kind == cellNull {
		return true
	}
	switch dt.ID() {
	case arrow.STRING:
		return true
	case arrow.BOOL:
		return c.kind == cellBool
	case arrow.INT64:
		return c.kind == cellInt
	case arrow.FLOAT64:
		return c.kind == cellInt || c.kind == cellFloat
	case arrow.DATE32:
		return c.kind == cellDate
	case arrow.TIMESTAMP:
		zoned := dt.(*arrow.TimestampType).TimeZone != ""
		return c.kind == cellDate && !zoned || c.kind == cellTimestamp && c.zoned == zoned
	}
	return false
}
