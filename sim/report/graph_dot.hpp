// The picture of a simulated design as a Graphviz graph (`sim --graph FILE`): one node per
// layer with its type, output shape and busy fraction (shaded by it; the bottleneck outlined),
// one edge per stream with its FIFO's depth and peak fill in rows (a fork's branches each with
// their own FIFO). docs/graphs.md.
#pragma once

#include <string>

#include "models/network/network_config.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {

std::string graph_dot(const NetworkConfig& net, const RunResult& r);

}  // namespace qsim
