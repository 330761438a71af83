#include "tlm/join_block.hpp"

namespace qsim {

JoinBlock::JoinBlock(sc_core::sc_module_name name, sc_core::sc_time period, std::string layer, std::string role)
    : TimedBlock(name, period, std::move(layer), std::move(role)), in_a("in_a"), in_b("in_b"), out("out") {}

std::pair<StreamRow, StreamRow> JoinBlock::take_both() {
    StreamRow a = take(in_a);
    StreamRow b = take(in_b);
    if (a.frame != b.frame || a.row != b.row || a.pixels != b.pixels)
        SC_REPORT_FATAL(name(), ("inputs out of step: row " + std::to_string(a.row) + " of frame " +
                                 std::to_string(a.frame) + " against row " + std::to_string(b.row) + " of frame " +
                                 std::to_string(b.frame))
                                    .c_str());
    return {std::move(a), std::move(b)};
}

}  // namespace qsim
