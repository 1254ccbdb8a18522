#include "textflag.h"

// The zipper shuffle of HighwayHash's update, for one 128-bit lane pair;
// VBROADCASTI32X4 repeats it across a 512-bit register.
DATA zipper<>+0x00(SB)/8, $0x000f010e05020c03
DATA zipper<>+0x08(SB)/8, $0x070806090d0a040b
GLOBL zipper<>(SB), (NOPTR+RODATA), $16

// UPDATE mixes the packets in m into the states v0, v1, mul0 and mul1 of
// two inputs (the low and high 256 bits of each register), using t as
// scratch. It is HighwayHash's update, lane for lane.
#define UPDATE(m, v0, v1, mul0, mul1, t) \
	VPADDQ   m, v1, v1       \
	VPADDQ   mul0, v1, v1    \
	VPSRLQ   $32, v0, t      \
	VPMULUDQ v1, t, t        \
	VPXORQ   t, mul0, mul0   \
	VPADDQ   mul1, v0, v0    \
	VPSRLQ   $32, v1, t      \
	VPMULUDQ v0, t, t        \
	VPXORQ   t, mul1, mul1   \
	VPSHUFB  Z5, v1, t       \
	VPADDQ   t, v0, v0       \
	VPSHUFB  Z5, v0, t       \
	VPADDQ   t, v1, v1

// func update4(s *vectorState, a, b, c, d *byte, n int)
//
// Inputs a and b share registers Z1 to Z4, c and d Z6 to Z9; the two
// chains are independent, so each hides the other's latency.
TEXT ·update4(SB), NOSPLIT, $0-48
	MOVQ s+0(FP), AX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), R8
	MOVQ d+32(FP), R9
	MOVQ n+40(FP), CX

	VMOVDQU64 0(AX), Z1
	VMOVDQU64 64(AX), Z2
	VMOVDQU64 128(AX), Z3
	VMOVDQU64 192(AX), Z4
	VMOVDQU64 256(AX), Z6
	VMOVDQU64 320(AX), Z7
	VMOVDQU64 384(AX), Z8
	VMOVDQU64 448(AX), Z9
	VBROADCASTI32X4 zipper<>(SB), Z5

loop:
	VMOVDQU      (SI), Y0
	VINSERTI64X4 $1, (DI), Z0, Z0
	VMOVDQU      (R8), Y10
	VINSERTI64X4 $1, (R9), Z10, Z10
	UPDATE(Z0, Z1, Z2, Z3, Z4, Z11)
	UPDATE(Z10, Z6, Z7, Z8, Z9, Z12)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	SUBQ $32, CX
	JNZ  loop

	VMOVDQU64 Z1, 0(AX)
	VMOVDQU64 Z2, 64(AX)
	VMOVDQU64 Z3, 128(AX)
	VMOVDQU64 Z4, 192(AX)
	VMOVDQU64 Z6, 256(AX)
	VMOVDQU64 Z7, 320(AX)
	VMOVDQU64 Z8, 384(AX)
	VMOVDQU64 Z9, 448(AX)
	VZEROUPPER
	RET
