package order

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseMode(t *testing.T) {
	for m := range numModes {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	tests := []struct {
		in   string
		want Mode
		ok   bool
	}{
		{"BLOCK", Block, true},
		{"Global", Global, true},
		{"", 0, false},
		{"random", 0, false},
		{"block ", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseMode(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseMode(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseMode(%q) error %v is not ErrInvalid", tt.in, err)
		}
	}
	if s := Mode(42).String(); s != "mode(42)" {
		t.Errorf("Mode(42).String() = %q", s)
	}
}

func TestModeJSON(t *testing.T) {
	var v struct{ Mode Mode }
	if err := json.Unmarshal([]byte(`{"Mode":"buffer"}`), &v); err != nil || v.Mode != Buffer {
		t.Fatalf("unmarshal = %v, %v", v.Mode, err)
	}
	out, err := json.Marshal(v)
	if err != nil || string(out) != `{"Mode":"buffer"}` {
		t.Fatalf("marshal = %s, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"Mode":"nope"}`), &v); !errors.Is(err, ErrInvalid) {
		t.Errorf("unmarshal of an unknown mode = %v", err)
	}
	if _, err := json.Marshal(struct{ M Mode }{Mode(9)}); err == nil {
		t.Error("marshal of an unknown mode succeeded")
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{ShardRows: []int64{3, 0, 4}}
	tests := []struct {
		name   string
		change func(*Config)
		valid  bool
	}{
		{"zero values take defaults", func(c *Config) {}, true},
		{"no shards", func(c *Config) { c.ShardRows = nil }, true},
		{"negative shard", func(c *Config) { c.ShardRows = []int64{3, -1} }, false},
		{"too many rows", func(c *Config) { c.ShardRows = []int64{MaxRows, 1} }, false},
		{"rows overflow int64", func(c *Config) { c.ShardRows = []int64{1 << 62, 1 << 62, 1 << 62} }, false},
		{"negative epoch", func(c *Config) { c.Epoch = -1 }, false},
		{"unknown mode", func(c *Config) { c.Mode = numModes }, false},
		{"negative window", func(c *Config) { c.Window = -1 }, false},
		{"huge window", func(c *Config) { c.Window = MaxWindow + 1 }, false},
		{"negative buffer", func(c *Config) { c.BufferSize = -5 }, false},
		{"huge buffer", func(c *Config) { c.BufferSize = MaxBufferSize + 1 }, false},
		{"largest buffer", func(c *Config) { c.BufferSize = MaxBufferSize }, true},
		{"rank outside world", func(c *Config) { c.World, c.Rank = 4, 4 }, false},
		{"rank without world", func(c *Config) { c.Rank = 1 }, false},
		{"negative rank", func(c *Config) { c.World, c.Rank = 4, -1 }, false},
		{"negative world", func(c *Config) { c.World = -2 }, false},
		{"worker outside workers", func(c *Config) { c.Workers, c.Worker = 2, 2 }, false},
		{"negative workers", func(c *Config) { c.Workers = -1 }, false},
		{"negative start", func(c *Config) { c.Start = -1 }, false},
		{"start past the end", func(c *Config) { c.Start = 100 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			err := c.Validate()
			if (err == nil) != tt.valid {
				t.Fatalf("Validate() = %v, want valid %v", err, tt.valid)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate() = %v, not ErrInvalid", err)
			}
			if _, perr := NewPlan(c); (perr == nil) != tt.valid {
				t.Fatalf("NewPlan error %v disagrees with Validate", perr)
			}
		})
	}
}

func TestEmptyPlans(t *testing.T) {
	for m := range numModes {
		for _, cfg := range []Config{
			{Mode: m},
			{Mode: m, ShardRows: []int64{0, 0}},
			{Mode: m, ShardRows: []int64{5}, Start: 5},
			{Mode: m, ShardRows: []int64{3}, World: 4, Rank: 3, DropRemainder: true},
		} {
			p := mustPlan(t, cfg)
			if p.Len() != 0 {
				t.Errorf("%+v: Len = %d, want 0", cfg, p.Len())
			}
			for range p.All(0) {
				t.Fatalf("%+v: All yields from an empty plan", cfg)
			}
			spearman, disp, shards := Quality(p)
			if spearman == spearman || disp != 0 || shards != 0 {
				t.Errorf("%+v: Quality = %v, %v, %v, want NaN, 0, 0", cfg, spearman, disp, shards)
			}
		}
	}
}

func TestAtPanicsOutOfRange(t *testing.T) {
	p := mustPlan(t, Config{ShardRows: []int64{4}})
	for _, k := range []int64{-1, 4} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("At(%d) did not panic", k)
				}
			}()
			p.At(k)
		}()
	}
}
