package serve

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tome-data/tome/format/rowjson"
)

func flightClient(t testing.TB, ts *testServer, opts ...grpc.DialOption) flight.Client {
	t.Helper()
	opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	c, err := flight.NewClientWithMiddleware(ts.FlightAddr(), nil, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func withToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// doGetLines reads one ticket's stream as canonical JSON rows.
func doGetLines(ctx context.Context, c flight.Client, ticket []byte) ([]string, error) {
	stream, err := c.DoGet(ctx, &flight.Ticket{Ticket: ticket})
	if err != nil {
		return nil, err
	}
	rd, err := flight.NewRecordReader(stream)
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	enc := rowjson.NewEncoder(rd.Schema())
	var lines []string
	for rd.Next() {
		b := rd.RecordBatch()
		for i := range int(b.NumRows()) {
			lines = append(lines, string(enc.AppendRow(nil, b, i)))
		}
	}
	if err := rd.Err(); err != nil && err != io.EOF {
		return lines, err
	}
	return lines, nil
}

func TestFlightEndpointsPerRank(t *testing.T) {
	dir := writeShards(t, ".arrow", 50, 20, 130, 271)
	ts := startServer(t, Config{Token: "t"}, Spec{Name: "d", Path: dir}, Spec{Name: "e", Path: dir})
	c := flightClient(t, ts)
	ctx := withToken(context.Background(), "t")

	list, err := c.ListFlights(ctx, &flight.Criteria{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for {
		info, err := list.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParseJSON(info.FlightDescriptor.Cmd)
		if err != nil || info.TotalRecords != 401 || len(info.Endpoint) != 1 {
			t.Fatalf("ListFlights: %v, %d rows, %d endpoints", err, info.TotalRecords, len(info.Endpoint))
		}
		names = append(names, p.Dataset)
	}
	if !slices.Equal(names, []string{"d", "e"}) {
		t.Fatalf("ListFlights gave %v", names)
	}

	for _, mode := range []string{"none", "block", "global"} {
		p := Params{Dataset: "d", Shuffle: mode, Seed: 3, Window: 64, World: 3, Start: 5}
		cmd, _ := json.Marshal(p)
		info, err := c.GetFlightInfo(ctx, &flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: cmd})
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Endpoint) != 3 || info.TotalRecords != 3*(134-5) || info.Ordered {
			t.Fatalf("%s: %d endpoints, %d rows", mode, len(info.Endpoint), info.TotalRecords)
		}
		schema, err := flight.DeserializeSchema(info.Schema, memory.DefaultAllocator)
		if err != nil || schema.NumFields() != 3 {
			t.Fatalf("schema %v %v", schema, err)
		}
		for r, ep := range info.Endpoint {
			got, err := doGetLines(ctx, c, ep.Ticket.Ticket)
			if err != nil {
				t.Fatal(err)
			}
			rp := p
			rp.Rank = r
			if want := trainLines(t, dir, rp); !slices.Equal(got, want) {
				t.Fatalf("%s rank %d: DoGet gave %d rows, the training stream %d", mode, r, len(got), len(want))
			}
			if web := streamLines(t, ts, "t", "d", rp.Query()); !slices.Equal(got, web) {
				t.Fatalf("%s rank %d: Flight and HTTP differ", mode, r)
			}
		}
	}
	// A path descriptor names a dataset with default parameters.
	if sch, err := c.GetSchema(ctx, &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{"e"}}); err != nil || len(sch.Schema) == 0 {
		t.Fatalf("GetSchema: %v", err)
	}
}

func TestFlightErrors(t *testing.T) {
	dir := writeShards(t, ".arrow", 50, 20, 100)
	ts := startServer(t, Config{Token: "t", MaxStreams: 1}, Spec{Name: "d", Path: dir})
	c := flightClient(t, ts)
	ok := withToken(context.Background(), "t")
	ticket := func(p Params) []byte { b, _ := json.Marshal(p); return b }
	tests := []struct {
		name   string
		ctx    context.Context
		ticket []byte
		code   codes.Code
	}{
		{"no token", context.Background(), ticket(Params{Dataset: "d"}), codes.Unauthenticated},
		{"wrong token", withToken(context.Background(), "x"), ticket(Params{Dataset: "d"}), codes.Unauthenticated},
		{"unknown dataset", ok, ticket(Params{Dataset: "../d"}), codes.NotFound},
		{"not JSON", ok, []byte("/etc/passwd"), codes.InvalidArgument},
		{"unknown field", ok, []byte(`{"dataset":"d","path":"/etc"}`), codes.InvalidArgument},
		{"bad rank", ok, ticket(Params{Dataset: "d", World: 2, Rank: 5}), codes.InvalidArgument},
		{"bad column", ok, ticket(Params{Dataset: "d", Columns: []string{"nope"}}), codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := doGetLines(tt.ctx, c, tt.ticket)
			if status.Code(err) != tt.code {
				t.Fatalf("error %v, want code %v", err, tt.code)
			}
		})
	}
	if _, err := c.GetFlightInfo(context.Background(), &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{"d"}}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("GetFlightInfo without token: %v", err)
	}
	if _, err := c.GetFlightInfo(ok, &flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: ticket(Params{Dataset: "d", World: 5000})}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("GetFlightInfo of 5000 ranks: %v", err)
	}
	ts.slots.acquire()
	_, err := doGetLines(ok, c, ticket(Params{Dataset: "d"}))
	ts.slots.release()
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("over the cap: %v", err)
	}
	if lines, err := doGetLines(ok, c, ticket(Params{Dataset: "d"})); err != nil || len(lines) != 100 {
		t.Fatalf("after the cap: %d rows, %v", len(lines), err)
	}
}

// Batches bigger than a gRPC message go out in slices that fit; a client
// that accepts no bigger messages reads them all.
func TestFlightSplitsBigBatches(t *testing.T) {
	const limit = 600 << 10
	dir := writeShards(t, ".arrow", 8192, 256, 20000) // 2 MB batches
	ts := startServer(t, Config{FlightMessageBytes: limit}, Spec{Name: "d", Path: dir})
	c := flightClient(t, ts, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(limit)))
	for _, p := range []Params{{Dataset: "d"}, {Dataset: "d", Shuffle: "global", BatchRows: 20000}} {
		got, err := doGetLines(context.Background(), c, func() []byte { b, _ := json.Marshal(p); return b }())
		if err != nil {
			t.Fatal(err)
		}
		if want := trainLines(t, dir, p); !slices.Equal(got, want) {
			t.Fatalf("%+v: %d rows, want %d", p, len(got), len(want))
		}
	}
}
