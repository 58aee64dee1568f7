package dataset

import (
	"cmp"
	"reflect"
	"strings"
)

// decodeGoField is an exported field of a Go struct (or of a struct it
// embeds) and the column it wants.
type decodeGoField struct {
	name     string // column name: the tome tag, else the json tag, else the field name
	goPath   string // "Label", or "Base.Label" for a field promoted from Base
	offset   uintptr
	typ      reflect.Type
	optional bool // tome:",optional": no column is fine
	tagged   bool // the name came from a tag
	depth    int  // embedding depth, for Go's promotion rules
}

// decodeStructFields lists the fields of rt that decode from columns, with
// encoding/json's rules: unexported fields are skipped, the fields of an
// untagged embedded struct are promoted, and when two fields want the same
// name the shallower one wins, then the tagged one. Where json silently
// drops both of two equal candidates, this is an error, so that a field
// cannot quietly stop being decoded.
func decodeStructFields(p decodePath, rt reflect.Type) ([]decodeGoField, error) {
	var all []decodeGoField
	if err := decodeWalkFields(p, rt, 0, "", 0, &all); err != nil {
		return nil, err
	}
	byName := make(map[string][]int, len(all))
	for i, f := range all {
		byName[f.name] = append(byName[f.name], i)
	}
	var out []decodeGoField
	for i, f := range all {
		if winner, err := decodeDominant(p, all, byName[f.name]); err != nil {
			return nil, err
		} else if winner == i {
			out = append(out, f)
		}
	}
	return out, nil
}

func decodeWalkFields(p decodePath, rt reflect.Type, offset uintptr, prefix string, depth int, all *[]decodeGoField) error {
	for i := range rt.NumField() {
		sf := rt.Field(i)
		name, optional, tagged, skip, err := decodeTag(sf)
		if err != nil {
			return decodeAt(err, p.child(prefix+sf.Name, name), -1)
		}
		if skip {
			continue
		}
		if sf.Anonymous && !tagged {
			t := sf.Type
			switch {
			case t.Kind() == reflect.Struct:
				if err := decodeWalkFields(p, t, offset+sf.Offset, prefix+sf.Name+".", depth+1, all); err != nil {
					return err
				}
				continue
			case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
				if !sf.IsExported() {
					continue // as json: unexported embedded pointers are ignored
				}
				// Promoting through a pointer would need the decoder to
				// allocate the embedded struct; a tagged field is clearer.
				return decodeAt(decodeSchemaErr("embedded pointer %s is not decoded; embed %s by value or give the field a tome tag",
					t, t.Elem().Name()), p.child(prefix+sf.Name, name), -1)
			}
		}
		if !sf.IsExported() {
			continue
		}
		*all = append(*all, decodeGoField{
			name:     name,
			goPath:   prefix + sf.Name,
			offset:   offset + sf.Offset,
			typ:      sf.Type,
			optional: optional,
			tagged:   tagged,
			depth:    depth,
		})
	}
	return nil
}

// decodeDominant picks, among the fields at indexes idx that want one name,
// the one Go's promotion rules make visible.
func decodeDominant(p decodePath, all []decodeGoField, idx []int) (int, error) {
	best := []int{idx[0]}
	for _, i := range idx[1:] {
		switch {
		case all[i].depth < all[best[0]].depth:
			best = []int{i}
		case all[i].depth == all[best[0]].depth:
			best = append(best, i)
		}
	}
	if len(best) > 1 {
		var tagged []int
		for _, i := range best {
			if all[i].tagged {
				tagged = append(tagged, i)
			}
		}
		if len(tagged) == 1 {
			return tagged[0], nil
		}
		a, b := all[best[0]], all[best[1]]
		return 0, decodeAt(decodeSchemaErr("fields %s and %s both want column %q", a.goPath, b.goPath, a.name),
			p.child(a.goPath, a.name), -1)
	}
	return best[0], nil
}

// decodeTag reads a field's column name and options: `tome:"name,optional"`
// first, then the name of a `json:"name,..."` tag, then the field's name.
// "-" as the name skips the field.
func decodeTag(sf reflect.StructField) (name string, optional, tagged, skip bool, err error) {
	tomeTag, hasTome := sf.Tag.Lookup("tome")
	if hasTome {
		if tomeTag == "-" {
			return "", false, false, true, nil
		}
		n, opts, _ := strings.Cut(tomeTag, ",")
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "":
			case "optional":
				optional = true
			default:
				return cmp.Or(n, sf.Name), false, false, false, decodeSchemaErr("unknown option %q in tag `tome:%q`", opt, tomeTag)
			}
		}
		if n != "" {
			return n, optional, true, false, nil
		}
	}
	if jsonTag, ok := sf.Tag.Lookup("json"); ok {
		if jsonTag == "-" && !hasTome {
			return "", false, false, true, nil
		}
		if n, _, _ := strings.Cut(jsonTag, ","); n != "" && n != "-" {
			return n, optional, true, false, nil
		}
	}
	return sf.Name, optional, false, false, nil
}

// decodeMatchColumn finds the column a field wants among count columns
// named by name(i): the one with exactly its name, else the one equal to it
// under Unicode case folding (so field Label finds column "label", as in
// encoding/json). Two candidates at the same step are ambiguous, which is
// an error rather than a guess. It returns -1 when nothing matches.
func decodeMatchColumn(count int, name func(int) string, want string) (int, error) {
	for _, fold := range []bool{false, true} {
		found := -1
		for i := range count {
			if n := name(i); n == want || fold && strings.EqualFold(n, want) {
				if found >= 0 {
					return -1, decodeSchemaErr("columns %q and %q both match", name(found), n)
				}
				found = i
			}
		}
		if found >= 0 {
			return found, nil
		}
	}
	return -1, nil
}
