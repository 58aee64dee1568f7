// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU time next to wall time: on a machine shared with other
// work, CPU time measures the code where wall time also measures the
// neighbours.
package cputime
