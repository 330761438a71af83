// The packed weights of a weight-file record (docs/weights-format.md): `count` codes of `bits`
// bits each, little endian, weight k at bits k*bits .. k*bits+bits-1 of the byte string (bit 0
// of byte 0 first). What a code means depends on the record's quant code:
//   0 binary  (1 bit) : 1 -> +1, 0 -> -1
//   1 ternary (2 bit) : 01 -> +1, 11 -> -1, 00 -> 0; 10 is invalid
//   2 uniform (2..8)  : two's complement; -2^(bits-1) is invalid (the range is symmetric)
//   3 rccm (4, 6, 8)  : a select index, every code valid (unpacked as it is, 0 .. 2^bits - 1)
// The record parser unpacks tens of millions of these (AlexNet's fc layers over DMA channel 1),
// so the fast path works a byte or a group of eight codes at a time; the one-code-at-a-time
// version is kept as the reference it is tested against.
#pragma once

#include <cstdint>

namespace qsim {

// Unpacks codes [0, count) into out[0, count) (values as above; a select index as its code, in
// the same byte). Returns the index of the first invalid code, or `count` when every code is
// valid; out is written for every code, the invalid ones with unspecified values. `quant` 0..3
// and `bits` must be a combination listed above (the parser checks them first).
uint64_t unpack_weight_codes(const uint8_t* packed, uint64_t count, int quant, int bits, int8_t* out);

// The index of the first invalid code among [0, count) (`count` when every code is valid),
// without unpacking them anywhere: the same answer as unpack_weight_codes.
uint64_t first_invalid_weight_code(const uint8_t* packed, uint64_t count, int quant, int bits);

// The same as unpack_weight_codes, one code at a time through a generic bit reader (reference
// for tests).
uint64_t unpack_weight_codes_simple(const uint8_t* packed, uint64_t count, int quant, int bits, int8_t* out);

// The raw `bits`-bit code of weight k (for error messages).
uint32_t weight_code_at(const uint8_t* packed, uint64_t k, int bits);

}  // namespace qsim
