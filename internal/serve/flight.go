package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// DefaultFlightMessageBytes is gRPC's default limit on a received message,
// which Flight clients keep unless told otherwise.
const DefaultFlightMessageBytes = 4 << 20

// flightHeaderRoom is what a message's IPC header and protobuf framing
// may take besides the batch body.
const flightHeaderRoom = 256 << 10

// maxFlightEndpoints bounds a FlightInfo, which lists one ticket per rank.
const maxFlightEndpoints = 4096

// flightService is the Arrow Flight face of the server:
//
//   - ListFlights: one FlightInfo per dataset (default split, in order);
//   - GetFlightInfo and GetSchema: a descriptor whose command is the JSON
//     of Params (or whose path is a dataset name) gives one endpoint per
//     rank, each ticket the Params of that rank;
//   - DoGet: a ticket's stream, batches cut to fit gRPC's message limit.
type flightService struct {
	flight.BaseFlightServer
	s *Server
}

func (f *flightService) ListFlights(_ *flight.Criteria, out flight.FlightService_ListFlightsServer) error {
	for _, name := range f.s.reg.Names() {
		info, err := f.flightInfo(out.Context(), Params{Dataset: name})
		if err != nil {
			return grpcError(err)
		}
		if err := out.Send(info); err != nil {
			return err
		}
	}
	return nil
}

func (f *flightService) GetFlightInfo(ctx context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	p, err := descriptorParams(desc)
	if err != nil {
		return nil, grpcError(err)
	}
	info, err := f.flightInfo(ctx, p)
	return info, grpcError(err)
}

func (f *flightService) GetSchema(ctx context.Context, desc *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	p, err := descriptorParams(desc)
	if err != nil {
		return nil, grpcError(err)
	}
	ts, schema, err := f.s.openStream(ctx, p)
	if err != nil {
		return nil, grpcError(err)
	}
	ts.Close()
	return &flight.SchemaResult{Schema: flight.SerializeSchema(schema, memory.DefaultAllocator)}, nil
}

// descriptorParams reads a descriptor: a command holding Params as JSON,
// or a path of one element, the dataset name (default parameters).
func descriptorParams(desc *flight.FlightDescriptor) (Params, error) {
	switch {
	case desc == nil:
		return Params{}, badParam("no flight descriptor")
	case desc.Type == flight.DescriptorCMD:
		return ParseJSON(desc.Cmd)
	case desc.Type == flight.DescriptorPATH && len(desc.Path) == 1:
		p := Params{Dataset: desc.Path[0]}
		return p, p.check()
	}
	return Params{}, badParam("want a command descriptor with the stream parameters as JSON, or a path of one dataset name")
}

// flightInfo describes the stream p asks for with one endpoint per rank
// (p.Rank is ignored), in rank order: consuming them all is the epoch.
// With several ranks it is not Ordered in Flight's sense: the epoch's
// order interleaves the ranks (rank r has positions r, r+world, ...)
// rather than concatenating them.
func (f *flightService) flightInfo(ctx context.Context, p Params) (*flight.FlightInfo, error) {
	if p.World > maxFlightEndpoints {
		return nil, badParam("world=%d: a FlightInfo lists at most %d endpoints; ask each rank's ticket directly", p.World, maxFlightEndpoints)
	}
	p.Rank = 0
	ts, schema, err := f.s.openStream(ctx, p)
	if err != nil {
		return nil, err
	}
	perRank := ts.Len()
	ts.Close()
	cmd, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	info := &flight.FlightInfo{
		Schema:           flight.SerializeSchema(schema, memory.DefaultAllocator),
		FlightDescriptor: &flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: cmd},
		TotalRecords:     max(perRank*int64(max(p.World, 1)), -1),
		TotalBytes:       -1,
		Ordered:          max(p.World, 1) == 1,
	}
	for r := range max(p.World, 1) {
		rp := p
		rp.Rank = r
		ticket, err := json.Marshal(rp)
		if err != nil {
			return nil, err
		}
		info.Endpoint = append(info.Endpoint, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: ticket}})
	}
	return info, nil
}

func (f *flightService) DoGet(tkt *flight.Ticket, out flight.FlightService_DoGetServer) error {
	began := time.Now()
	p, err := ParseJSON(tkt.GetTicket())
	if err != nil {
		return grpcError(err)
	}
	if !f.s.reg.has(p.Dataset) {
		return grpcError(unknownDataset{p.Dataset})
	}
	if !f.s.slots.acquire() {
		f.s.metrics.rejected.WithLabelValues("flight").Inc()
		return grpcError(errOverCap)
	}
	defer f.s.slots.release()

	ctx := out.Context()
	ts, schema, err := f.s.openStream(ctx, p)
	if err != nil {
		return grpcError(err)
	}
	defer ts.Close()
	cw := &countingSender{DataStreamWriter: out}
	var w *flight.Writer
	limit := int64(f.s.cfg.FlightMessageBytes - flightHeaderRoom)
	send := func(b arrow.RecordBatch) (int64, error) {
		if w == nil {
			w = flight.NewRecordWriter(cw, ipc.WithSchema(streamSchema(schema, b.Schema())))
		}
		before := cw.n
		err := forEachPiece(b, limit, w.Write)
		return cw.n - before, err
	}
	err = f.s.metrics.stream(p.Dataset, "flight").pump(ctx, ts, began, send)
	if err == nil {
		if w == nil {
			w = flight.NewRecordWriter(cw, ipc.WithSchema(schema))
		}
		err = w.Close()
	}
	if err != nil && ctx.Err() == nil {
		f.s.logf("flight stream %s: %v", tkt.GetTicket(), err)
	}
	return grpcError(err)
}

// countingSender counts the bytes of the messages sent.
type countingSender struct {
	flight.DataStreamWriter
	n int64
}

func (c *countingSender) Send(d *flight.FlightData) error {
	c.n += int64(len(d.DataHeader) + len(d.DataBody))
	return c.DataStreamWriter.Send(d)
}

// grpcError gives err the gRPC code matching its HTTP status.
func grpcError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	code := codes.Internal
	switch statusOf(err) {
	case http.StatusBadRequest:
		code = codes.InvalidArgument
	case http.StatusNotFound:
		code = codes.NotFound
	case http.StatusTooManyRequests:
		code = codes.ResourceExhausted
	case http.StatusUnauthorized:
		code = codes.Unauthenticated
	case http.StatusServiceUnavailable:
		code = codes.Unavailable
		if errors.Is(err, context.Canceled) {
			code = codes.Canceled
		}
	}
	return status.Error(code, err.Error())
}

// grpcAuth checks the bearer token on every call, unary and streaming,
// and counts the call in, so that Serve returns only once all are done.
func (s *Server) grpcAuth() []grpc.ServerOption {
	check := func(ctx context.Context) error {
		md, _ := metadata.FromIncomingContext(ctx)
		var auth string
		if v := md.Get("authorization"); len(v) == 1 {
			auth = v[0]
		}
		if !s.token.allows(auth) {
			return status.Error(codes.Unauthenticated, errUnauthorized.Error())
		}
		return grpcError(s.enter())
	}
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := check(ctx); err != nil {
				return nil, err
			}
			defer s.running.Done()
			return h(ctx, req)
		}),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := check(ss.Context()); err != nil {
				return err
			}
			defer s.running.Done()
			return h(srv, ss)
		}),
	}
}
