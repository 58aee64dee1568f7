package dataset

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// startNginx serves root with nginx on a free loopback port and returns
// its base URL; the test is skipped when nginx is not installed.
func startNginx(t *testing.T, root string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			t.Skip("nginx is not installed")
		}
		bin = "/usr/sbin/nginx"
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	prefix := t.TempDir()
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    server {
        listen %[2]s;
        root %[3]s;
    }
}
`, prefix, addr, root)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", prefix, "-c", confPath)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			t.Fatalf("nginx did not start listening on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestNginxMatchesLocal reads Parquet and Arrow IPC files served by nginx,
// a real server with its own Range, ETag and keep-alive behaviour.
func TestNginxMatchesLocal(t *testing.T) {
	useRemote(t, RemoteOptions{})
	dir := remoteFixture(t)
	base := startNginx(t, dir)
	for _, name := range []string{"rows.parquet", "rows.arrow", "rows.arrows", "rows.jsonl"} {
		t.Run(name, func(t *testing.T) {
			local := filepath.Join(dir, name)
			wantRows, want := openDigest(t, local)
			gotRows, got := openDigest(t, base+"/"+name)
			if gotRows != wantRows || got != want {
				t.Errorf("from nginx %d rows (%.8s), local %d (%.8s)", gotRows, got, wantRows, want)
			}
			so := &ScanOptions{Columns: []string{"noise", "id"}}
			wantRows, want = projectedDigest(t, local, so)
			gotRows, got = projectedDigest(t, base+"/"+name, so)
			if gotRows != wantRows || got != want {
				t.Errorf("projected from nginx %d rows (%.8s), local %d (%.8s)", gotRows, got, wantRows, want)
			}
		})
	}
}
