// Package pagein maps the pages of a memory-mapped file into the process's
// page tables ahead of use, so that the reads that follow neither take a
// page fault nor wait for the disk.
//
// A reader that walks a mapping in order is served well by the kernel on
// its own: each fault maps the pages around it (fault-around) and the
// CPU's prefetchers follow the walk. A reader that jumps about a region is
// not: its first touch of each part of the region faults, and a software
// prefetch of an address on a page not yet mapped is dropped, so the very
// rows it asked for early are read late, one fault at a time. Populating
// the region first, on a goroutine that has nothing else to do, takes the
// faults off the reader's path.
//
// # Promises
//
// Populate is a hint. It reads nothing a program can see and changes no
// byte; it never faults the caller, even when the file has shrunk under
// the mapping (the kernel reports that as an error, which Populate
// ignores). Where the system cannot populate (Linux before 5.14, other
// systems) it does nothing and reports false.
package pagein
