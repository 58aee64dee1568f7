package serve

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc"
)

// Defaults of Config.
const (
	DefaultAddr       = "127.0.0.1:8080"
	DefaultFlightAddr = "127.0.0.1:8815"
	DefaultMaxStreams = 64
	DefaultGrace      = 30 * time.Second
)

// Config configures a Server. The zero value of a field means its
// default, except FlightAddr: "" serves no Flight (New's callers pass
// DefaultFlightAddr for the default).
type Config struct {
	// Addr and FlightAddr are the HTTP and Arrow Flight listen addresses;
	// loopback unless told otherwise. Port 0 picks a free port.
	Addr, FlightAddr string
	// Token, when set, is required as "Authorization: Bearer TOKEN" on
	// every endpoint; /metrics too unless PublicMetrics.
	Token         string
	PublicMetrics bool
	// MaxStreams caps the streams (HTTP and Flight together) running at
	// once; a stream beyond it gets 429 (Flight: RESOURCE_EXHAUSTED).
	MaxStreams int
	// Grace is how long Serve lets running streams finish once its
	// context ends, before it cuts them.
	Grace time.Duration
	// StallTimeout, when positive, is how long one batch of an HTTP stream
	// may take to reach a client that stopped reading; the stream is then
	// cut, and its slot freed, as if the client had gone. Zero waits for as
	// long as the connection lives: a training job may stop reading for an
	// evaluation or a checkpoint, and a cut stream must be resumed.
	StallTimeout time.Duration
	// FlightMessageBytes is the largest gRPC message a Flight client
	// accepts (DefaultFlightMessageBytes); bigger batches go out in slices.
	FlightMessageBytes int
	// Log receives errors that cannot go to the client (a stream failing
	// after its first bytes); nil discards them.
	Log *log.Logger
}

// A Server serves the datasets of a Registry over HTTP and Arrow Flight.
type Server struct {
	reg     *Registry
	cfg     Config
	token   tokenCheck
	slots   slots
	metrics *metrics
	mu      sync.Mutex
	closed  bool           // Serve is past its grace: no stream may start
	running sync.WaitGroup // requests and calls being answered

	httpLn, flightLn net.Listener
}

// New makes a server of reg's datasets. It does not take ownership of
// reg: close it after Serve returns.
func New(reg *Registry, cfg Config) *Server {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxStreams
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.FlightMessageBytes <= 0 {
		cfg.FlightMessageBytes = DefaultFlightMessageBytes
	}
	cfg.FlightMessageBytes = max(cfg.FlightMessageBytes, 2*flightHeaderRoom)
	return &Server{
		reg:     reg,
		cfg:     cfg,
		token:   newTokenCheck(cfg.Token),
		slots:   make(slots, cfg.MaxStreams),
		metrics: newMetrics(),
	}
}

// Listen binds the listen addresses, so that Addr and FlightAddr are known
// before Serve (and a port in use fails before anything is served).
func (s *Server) Listen() error {
	var err error
	if s.httpLn, err = net.Listen("tcp", s.cfg.Addr); err != nil {
		return err
	}
	if s.cfg.FlightAddr != "" {
		if s.flightLn, err = net.Listen("tcp", s.cfg.FlightAddr); err != nil {
			s.httpLn.Close()
			return err
		}
	}
	return nil
}

// Addr is the bound HTTP address (after Listen).
func (s *Server) Addr() string { return s.httpLn.Addr().String() }

// FlightAddr is the bound Flight address, "" without Flight.
func (s *Server) FlightAddr() string {
	if s.flightLn == nil {
		return ""
	}
	return s.flightLn.Addr().String()
}

// Serve serves until ctx ends, then drains: it stops accepting
// connections and requests, lets running streams finish for up to
// Config.Grace, then cuts the rest, and returns nil once every stream
// has stopped. It calls Listen when that has not been done.
func (s *Server) Serve(ctx context.Context) error {
	if s.httpLn == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	// Requests run under hard, which ends only when the grace is over:
	// draining lets them finish rather than canceling them.
	hard, cut := context.WithCancel(context.WithoutCancel(ctx))
	defer cut()
	hs := &http.Server{
		Handler:           s.Handler(),
		BaseContext:       func(net.Listener) context.Context { return hard },
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          s.cfg.Log,
	}
	var gs *grpc.Server
	serveErr := make(chan error, 2)
	go func() { serveErr <- hs.Serve(s.httpLn) }()
	servers := 1
	if s.flightLn != nil {
		gs = grpc.NewServer(s.grpcAuth()...)
		flight.RegisterFlightServiceServer(gs, &flightService{s: s})
		servers++
		go func() { serveErr <- gs.Serve(s.flightLn) }()
	}

	var failed error
	select {
	case <-ctx.Done():
	case failed = <-serveErr:
		servers--
	}

	grace, stop := context.WithTimeout(context.Background(), s.cfg.Grace)
	defer stop()
	if failed != nil {
		stop() // a listener broke: no grace
	}
	var drained sync.WaitGroup
	drained.Go(func() { hs.Shutdown(grace) })
	if gs != nil {
		drained.Go(func() {
			done := make(chan struct{})
			go func() { gs.GracefulStop(); close(done) }()
			select {
			case <-done:
			case <-grace.Done():
				gs.Stop()
				<-done
			}
		})
	}
	drained.Wait()
	// Whatever still runs is past its grace.
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	cut()
	hs.Close()
	s.running.Wait()
	for range servers {
		if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, grpc.ErrServerStopped) && failed == nil {
			failed = err
		}
	}
	if failed != nil && !errors.Is(failed, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", failed)
	}
	return nil
}

// enter counts a request or call in, so that Serve waits for it; it
// fails once Serve has stopped waiting.
func (s *Server) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errShuttingDown
	}
	s.running.Add(1)
	return nil
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Log != nil {
		s.cfg.Log.Printf(format, args...)
	}
}
