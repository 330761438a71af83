// Timing-only simulation (sim --timing-only; sim fifo-size runs its many simulations so): the
// blocks keep every rule of when rows move, but the sliding-window units build no windows and
// the matrix-vector and pooling units compute no values, so the rows carry zeros. Set once, at
// start-up, before a design is elaborated; off by default (every value bit-true).
#pragma once

namespace qsim {

bool timing_only();
void set_timing_only(bool on);

}  // namespace qsim
