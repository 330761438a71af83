// The scaling ring counter of SYQ (thesis ch. 5.7.2, Fig. 5.3) as a SystemC block: it stores a
// layer's K (row-wise) or K^2 (pixel-wise) scaling factors and drives the scaling multiplier
// of every PE of the MVTU (ring2mul): the PEs read the current factor as a row or pixel's
// sub-dot product leaves the MAC tree, and the counter advances as each row/pixel finishes.
// All PEs finish the same subgroup in the same clock, so one counter serves the whole MVTU.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "models/syq/ring_counter.hpp"

namespace qsim {

class ScaleIf : public virtual sc_core::sc_interface {
public:
    virtual int32_t factor() const = 0;  // presented to the scaling multipliers
    virtual void advance() = 0;          // the current row/pixel is finished
    virtual size_t position() const = 0;
};

class ScalingRingCounter : public sc_core::sc_module, public ScaleIf {
public:
    sc_core::sc_export<ScaleIf> ring2mul;

    ScalingRingCounter(sc_core::sc_module_name name, std::vector<int32_t> factors, uint64_t folds_per_group);

    int32_t factor() const override { return ring_.factor(); }
    void advance() override { ring_.advance(); }
    size_t position() const override { return ring_.index(); }
    const RingCounter& kernel() const { return ring_; }

private:
    RingCounter ring_;
};

}  // namespace qsim
