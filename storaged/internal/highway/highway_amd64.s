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

// LOAD2 loads the next packet of the inputs whose pointers are in lo and
// hi into the low and high 256 bits of m.
#define LOAD2(lo, hi, m, mlow) \
	VMOVDQU64    (lo), mlow \
	VINSERTI64X4 $1, (hi), m, m

// LOADSTATE and STORESTATE move the states of one pair of inputs, at byte
// off of the vectorState in AX, into and out of registers v0 to mul1.
#define LOADSTATE(off, v0, v1, mul0, mul1) \
	VMOVDQU64 off+0(AX), v0    \
	VMOVDQU64 off+64(AX), v1   \
	VMOVDQU64 off+128(AX), mul0 \
	VMOVDQU64 off+192(AX), mul1

#define STORESTATE(off, v0, v1, mul0, mul1) \
	VMOVDQU64 v0, off+0(AX)    \
	VMOVDQU64 v1, off+64(AX)   \
	VMOVDQU64 mul0, off+128(AX) \
	VMOVDQU64 mul1, off+192(AX)

// func update4(s *vectorState, p *[8]*byte, n int)
//
// Inputs p[0] and p[1] share registers Z1 to Z4, p[2] and p[3] Z6 to Z9;
// the two chains are independent, so each hides the other's latency.
TEXT ·update4(SB), NOSPLIT, $0-24
	MOVQ s+0(FP), AX
	MOVQ p+8(FP), BX
	MOVQ n+16(FP), CX
	MOVQ 0(BX), SI
	MOVQ 8(BX), DI
	MOVQ 16(BX), R8
	MOVQ 24(BX), R9

	LOADSTATE(0, Z1, Z2, Z3, Z4)
	LOADSTATE(256, Z6, Z7, Z8, Z9)
	VBROADCASTI32X4 zipper<>(SB), Z5

loop4:
	LOAD2(SI, DI, Z0, Y0)
	LOAD2(R8, R9, Z10, Y10)
	UPDATE(Z0, Z1, Z2, Z3, Z4, Z11)
	UPDATE(Z10, Z6, Z7, Z8, Z9, Z12)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	SUBQ $32, CX
	JNZ  loop4

	STORESTATE(0, Z1, Z2, Z3, Z4)
	STORESTATE(256, Z6, Z7, Z8, Z9)
	VZEROUPPER
	RET

// func update8(s *vectorState, p *[8]*byte, n int)
//
// update4 with four chains: p[4] and p[5] in Z13 to Z16, p[6] and p[7] in
// Z17 to Z20. Two chains still leave the multiplier waiting; four do not.
TEXT ·update8(SB), NOSPLIT, $0-24
	MOVQ s+0(FP), AX
	MOVQ p+8(FP), BX
	MOVQ n+16(FP), CX
	MOVQ 0(BX), SI
	MOVQ 8(BX), DI
	MOVQ 16(BX), R8
	MOVQ 24(BX), R9
	MOVQ 32(BX), R10
	MOVQ 40(BX), R11
	MOVQ 48(BX), R12
	MOVQ 56(BX), R13

	LOADSTATE(0, Z1, Z2, Z3, Z4)
	LOADSTATE(256, Z6, Z7, Z8, Z9)
	LOADSTATE(512, Z13, Z14, Z15, Z16)
	LOADSTATE(768, Z17, Z18, Z19, Z20)
	VBROADCASTI32X4 zipper<>(SB), Z5

loop8:
	LOAD2(SI, DI, Z0, Y0)
	LOAD2(R8, R9, Z10, Y10)
	LOAD2(R10, R11, Z21, Y21)
	LOAD2(R12, R13, Z22, Y22)
	UPDATE(Z0, Z1, Z2, Z3, Z4, Z11)
	UPDATE(Z10, Z6, Z7, Z8, Z9, Z12)
	UPDATE(Z21, Z13, Z14, Z15, Z16, Z23)
	UPDATE(Z22, Z17, Z18, Z19, Z20, Z24)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	SUBQ $32, CX
	JNZ  loop8

	STORESTATE(0, Z1, Z2, Z3, Z4)
	STORESTATE(256, Z6, Z7, Z8, Z9)
	STORESTATE(512, Z13, Z14, Z15, Z16)
	STORESTATE(768, Z17, Z18, Z19, Z20)
	VZEROUPPER
	RET
