#include "textflag.h"

// func prefetchLines(p unsafe.Pointer, n int)
//
// PREFETCHT0 every 64-byte line of [p, p+n), n > 0, and the line of the
// last byte (p need not be line-aligned).
TEXT ·prefetchLines(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), CX
	LEAQ -1(AX)(CX*1), DX
	PREFETCHT0 (DX)
loop:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	CMPQ AX, DX
	JB   loop
	RET
