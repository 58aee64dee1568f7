package dataset

// Retain adds a reference to the row's batch, for a Row kept beyond the
// loop body that yielded it; pair it with Release.
func (r Row) Retain() {
	if r.rec != nil {
		r.rec.Retain()
	}
}

// Release drops the reference a Row holds on its batch: call it once for
// every Row that Dataset.Row returned and for every Retain. Rows yielded
// by Dataset.Rows borrow their batch and hold no reference; do not
// release those.
func (r Row) Release() {
	if r.rec != nil {
		r.rec.Release()
	}
}
