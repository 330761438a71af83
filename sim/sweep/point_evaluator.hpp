// The analytical tier of a sweep, point after point, with what points share kept between them.
//
// evaluate_point() (sweep_runner.hpp) takes a point the whole way: a copy of the specification,
// the point's overrides, derive_design(), estimate_dataflow(), estimate_doubts() and
// estimate_resources(). Neighbouring points of a sweep differ in a few layers, so most of that
// is repeated work. PointEvaluator gives the same PointResult (field for field, reasons of
// invalid points word for word) from the same functions, each called once per distinct input:
//
//   - an axis value's parse error: once per axis and value;
//   - the network-level sections (derive_sections): once per combination of the section axes'
//     values (clock_mhz, device.*, input.*, ...);
//   - a layer (derive_layer): once per combination of what it reads, i.e. its own axes' values
//     (LAYER.FIELD and *.FIELD), the `defaults`/`weights` axes' values and what reaches it from
//     its inputs (shape, codes and bits: a folding change upstream that keeps them reuses it);
//   - a layer's blocks (append_layer_blocks) and resources (add_layer_resources, its FIFOs and
//     fork included): once per derived layer and resource context (flow, family, BRAM ports,
//     layers on the device);
//   - per point only what couples layers: the interval and bottleneck (a maximum over the
//     layers' cached blocks), the totals (a sum), the whole-design checks (check_network),
//     the doubts (estimate_doubts) and the device use.
//
// The dependencies this relies on are the documented ones of derive_layer (derive.hpp) and
// add_layer_resources (resource_model.hpp). Where they cannot be told apart the evaluator takes
// every point the whole way (uncached_reason() says why): `param.` axes (the YAML is re-read),
// axes on a layer's name, type, inputs or input_fifo_depths (the network's structure), a base
// configuration that does not derive, and points whose host runs the loopback architecture.
// The PointEvaluator.* tests compare both ways over random points of several designs and axis kinds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sim/design/spec.hpp"
#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sweep_eval.hpp"

namespace qsim::sweep {

class PointEvaluator {
public:
    // Throws std::invalid_argument as check_axes() does for an axis naming no field. The caches
    // start again past `cached_layers` derived layers (and 256 section combinations), so that a
    // sweep whose points share little does not hold a design per point.
    PointEvaluator(const DesignSpace& space, const design::NetworkSpec& base, size_t cached_layers = 200000);
    ~PointEvaluator();
    PointEvaluator(const PointEvaluator&) = delete;
    PointEvaluator& operator=(const PointEvaluator&) = delete;

    // The analytical result of point `index` of the space (as evaluate_point()).
    PointResult evaluate(uint64_t index);

    // Empty when points are evaluated from the caches; else why each goes the whole way.
    const std::string& uncached_reason() const;

    struct Counts {
        uint64_t points = 0;
        uint64_t whole = 0;             // points taken the whole way
        uint64_t section_derivations = 0;
        uint64_t layer_derivations = 0;
        uint64_t layer_estimates = 0;   // a derived layer's blocks and resources
    };
    const Counts& counts() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace qsim::sweep
