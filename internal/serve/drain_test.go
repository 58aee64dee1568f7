package serve

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"go.uber.org/goleak"
)

// bigDataset is larger than the socket buffers of a loopback connection,
// so that a stream of it is still being sent while a test acts.
func bigDataset(t *testing.T) (dir string, rows int64) {
	rows = 200_000
	if testing.Short() {
		rows = 60_000
	}
	return writeShards(t, ".arrow", 1000, 200, int(rows)), rows
}

// Stopping lets a running stream finish, refuses new connections, and
// returns nil.
func TestDrainLetsStreamsFinish(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir, rows := bigDataset(t)
	ts := startServer(t, Config{Grace: time.Minute}, Spec{Name: "d", Path: dir})
	resp := get(t, ts.streamURL("d", nil), "")
	defer resp.Body.Close()
	rd, err := ipc.NewReader(resp.Body)
	if err != nil || !rd.Next() {
		t.Fatalf("first batch: %v", err)
	}
	got := rd.RecordBatch().NumRows()
	stopped := make(chan error, 1)
	go func() { stopped <- ts.stop() }()
	// Once the listener is closed, nobody new gets in.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", ts.Addr())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections while draining")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned (%v) while a stream was running", err)
	default:
	}
	for rd.Next() {
		got += rd.RecordBatch().NumRows()
	}
	if rd.Err() != nil || got != rows {
		t.Fatalf("drained stream: %d of %d rows, %v", got, rows, rd.Err())
	}
	rd.Release()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	http.DefaultClient.CloseIdleConnections()
}

// A stream that outlasts the grace is cut, and Serve still returns.
func TestDrainCutsStreamsAfterTheGrace(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir, rows := bigDataset(t)
	ts := startServer(t, Config{Grace: 100 * time.Millisecond}, Spec{Name: "d", Path: dir})
	resp := get(t, ts.streamURL("d", nil), "")
	defer resp.Body.Close()
	rd, err := ipc.NewReader(resp.Body)
	if err != nil || !rd.Next() {
		t.Fatalf("first batch: %v", err)
	}
	if err := ts.stop(); err != nil { // the client reads nothing meanwhile
		t.Fatal(err)
	}
	got := rd.RecordBatch().NumRows()
	for rd.Next() {
		got += rd.RecordBatch().NumRows()
	}
	rd.Release()
	if got >= rows || rd.Err() == nil {
		t.Fatalf("a stream cut after the grace delivered %d of %d rows and error %v", got, rows, rd.Err())
	}
	http.DefaultClient.CloseIdleConnections()
}
