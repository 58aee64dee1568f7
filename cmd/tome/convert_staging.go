package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tome-data/tome/internal/atomicfile"
)

// stagingPrefix starts the name of the hidden directory, next to DST,
// where a conversion builds its output. Readers never look there: a
// dataset appears at DST only once it is complete (see publish).
const stagingPrefix = ".tome-staging-"

// staging is the work area of the conversion into dst:
//
//	plan.json                      the plan (convert_plan.go)
//	units/u000042/p00000.parquet   finished shards of unit 42 ...
//	units/u000042/p00000.json      ... each with its record, written after it
//	units/u000042/done.json        the unit is complete
//	tasks/task-00001-of-00003.json task 1 of 3 is complete
//	shuffle-input/                 a shuffle's random-access copy of the input
//	out/                           the dataset being assembled, moved to dst
//	old/                           the dataset --overwrite replaces, until removed
//
// Every file in it is written atomically, so its state after a crash is
// always one a resumed conversion can read.
type staging struct {
	dst string
	dir string
}

func newStaging(dst string) *staging {
	dst = filepath.Clean(dst)
	return &staging{dst: dst, dir: filepath.Join(filepath.Dir(dst), stagingPrefix+filepath.Base(dst))}
}

func (s *staging) planFile() string { return filepath.Join(s.dir, "plan.json") }
func (s *staging) unitDir(u int) string {
	return filepath.Join(s.dir, "units", fmt.Sprintf("u%06d", u))
}
func (s *staging) doneFile(u int) string { return filepath.Join(s.unitDir(u), "done.json") }
func (s *staging) outDir() string        { return filepath.Join(s.dir, "out") }
func (s *staging) oldDir() string        { return filepath.Join(s.dir, "old") }
func (s *staging) shuffleInput() string  { return filepath.Join(s.dir, "shuffle-input") }
func (s *staging) exists() bool          { _, err := os.Stat(s.dir); return err == nil }
func (s *staging) partPath(u, i int, ext string) string {
	return filepath.Join(s.unitDir(u), fmt.Sprintf("p%05d%s", i, ext))
}
func (s *staging) partRecord(u, i int) string {
	return filepath.Join(s.unitDir(u), fmt.Sprintf("p%05d.json", i))
}
func (s *staging) taskFile(index, count int) string {
	return filepath.Join(s.dir, "tasks", fmt.Sprintf("task-%05d-of-%05d.json", index, count))
}

// wipe removes the staging directory. It is renamed aside first, so a
// process killed while removing it leaves either the whole directory,
// which the next run recognises by its plan, or only the renamed remains
// (see removeLeftovers), never a staging directory without its plan.
func (s *staging) wipe() error {
	if !strings.HasPrefix(filepath.Base(s.dir), stagingPrefix) {
		return fmt.Errorf("refusing to remove %s: not a staging directory", s.dir)
	}
	if err := s.removeLeftovers(); err != nil {
		return err
	}
	if err := os.Rename(s.dir, s.trashDir()); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return os.RemoveAll(s.trashDir())
}

// trashDir is where wipe moves the staging directory to remove it.
func (s *staging) trashDir() string { return s.dir + "-removing" }

// removeLeftovers removes what a wipe killed midway left behind.
func (s *staging) removeLeftovers() error { return os.RemoveAll(s.trashDir()) }

// readPlan reads plan.json; a missing one gives fs.ErrNotExist.
func (s *staging) readPlan() (*convertPlan, error) {
	var p convertPlan
	if err := readJSONFile(s.planFile(), &p); err != nil {
		return nil, err
	}
	if p.Fingerprint == "" || len(p.Splits) == 0 {
		return nil, fmt.Errorf("%s: not a conversion plan", s.planFile())
	}
	return &p, nil
}

// usePlan records plan in the staging directory, or checks that the
// plan already there is the same one.
func (s *staging) usePlan(plan *convertPlan) error {
	old, err := s.readPlan()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return err
		}
		return writeJSONFile(s.planFile(), plan)
	case err != nil:
		return err
	case old.Fingerprint != plan.Fingerprint:
		return fmt.Errorf("%w: %s was started with other inputs or options (plan %s, this run's %s); "+
			"finish it with the same command, or start over without --resume", errPlanMismatch, s.dir, old.Fingerprint, plan.Fingerprint)
	}
	return nil
}

// partRecord is the record of one finished shard of a unit.
type partRecord struct {
	Rows       int64  `json:"rows"`
	Bytes      int64  `json:"bytes"`
	ArrowBytes int64  `json:"arrow_bytes"`
	SHA256     string `json:"sha256"`
}

// unitDone is the record of a complete unit.
type unitDone struct {
	Parts int   `json:"parts"`
	Rows  int64 `json:"rows"`
}

// finishedParts returns the unit's shards that are complete and intact
// (a record, and a file of the recorded size), in order, stopping at the
// first that is not; and whether the whole unit is done. The shards of a
// done unit are not checked: an interrupted merge may have moved them
// already, and it checks them itself.
func (s *staging) finishedParts(u int, ext string) ([]partRecord, bool, error) {
	var done unitDone
	if err := readJSONFile(s.doneFile(u), &done); err == nil {
		parts := make([]partRecord, done.Parts)
		for i := range parts {
			if err := readJSONFile(s.partRecord(u, i), &parts[i]); err != nil {
				return nil, false, fmt.Errorf("unit %d of %s is damaged: %w", u, s.dir, err)
			}
		}
		return parts, true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	var parts []partRecord
	for i := 0; ; i++ {
		var rec partRecord
		if err := readJSONFile(s.partRecord(u, i), &rec); err != nil {
			return parts, false, nil
		}
		if st, err := os.Stat(s.partPath(u, i, ext)); err != nil || st.Size() != rec.Bytes {
			return parts, false, nil
		}
		parts = append(parts, rec)
	}
}

// resetUnit removes what a unit holds beyond its first keep parts:
// later parts, their records, temporary files, the done marker.
func (s *staging) resetUnit(u, keep int, ext string) error {
	dir := s.unitDir(u)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	kept := map[string]bool{}
	for i := range keep {
		kept[filepath.Base(s.partPath(u, i, ext))] = true
		kept[filepath.Base(s.partRecord(u, i))] = true
	}
	for _, e := range entries {
		if !kept[e.Name()] {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// readJSONFile decodes a small JSON file the conversion wrote.
func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSONFile writes v as JSON, atomically, creating the directory.
func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(data, '\n'))
}
