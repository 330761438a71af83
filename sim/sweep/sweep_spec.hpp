// A sweep definition from a file (`sim sweep --spec FILE`, YAML or JSON) or from the command
// line (--config, --axis NAME=VALUES, --random N --seed S, --set NAME=VALUE).
//
//   config: ../configs/alexnet_pruned40.yaml   # relative to the spec file
//   set: { wbits: 2 }                          # params given to every point
//   axes:
//     conv2.pe: [11, 77]
//     conv4.reuse: "1..8*2"
//   sample: { mode: random, points: 1000, seed: 7 }   # default: grid
#pragma once

#include <cstdint>
#include <string>

#include "sim/sweep/design_space.hpp"

namespace qsim::sweep {

// The largest spec file read (bytes); a larger one, a directory or a device is refused unread.
// spec_text() of a space whose ranges expand to kMaxAxisValues values (about 10 bytes each)
// must read back (a SLURM shard reads it): 1 MiB held 80,000 values (found by the fuzzer).
constexpr uintmax_t kMaxSpecBytes = uintmax_t(64) << 20;

// Reads a spec file into `space` (fields given there replace those already set). Throws
// std::invalid_argument as "FILE:LINE:COL: FIELD: message".
void read_spec_file(const std::string& path, DesignSpace& space);

// The design space as a spec file that read_spec_file reads back to the same points (with
// the config path absolute), for shards started elsewhere (SLURM).
std::string spec_text(const DesignSpace& space);

}  // namespace qsim::sweep
