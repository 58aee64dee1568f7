package shard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// temporary reports whether an attempt that failed with err may succeed if
// repeated. It is deliberately conservative about what it retries:
// anything it does not recognise as transient fails at once, so a bug or a
// misconfiguration shows up as an error instead of a long stall.
func temporary(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The caller's context; our own timeouts are errTimeout.
		return false
	case errors.Is(err, ErrChanged), errors.Is(err, ErrDenied), errors.Is(err, ErrNotFound),
		errors.Is(err, ErrBadResponse), errors.Is(err, ErrNoRanges), errors.Is(err, ErrClosed):
		return false
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuthority) || errors.As(err, &hostErr) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return true
	}
	for _, transient := range []error{
		io.ErrUnexpectedEOF, io.EOF, // body cut short, connection closed before the answer
		syscall.ECONNRESET, syscall.ECONNABORTED, syscall.ECONNREFUSED, syscall.EPIPE, syscall.ETIMEDOUT,
	} {
		if errors.Is(err, transient) {
			return true
		}
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	// HTTP/2 reports a reset stream or a connection shut down mid-request
	// through the bundled, unexported http2 error types; their text is the
	// only thing to go by.
	msg := err.Error()
	return strings.Contains(msg, "stream error:") || strings.Contains(msg, "http2: client connection lost") ||
		strings.Contains(msg, "GOAWAY")
}
