// Base of the blocks that join streams (the adder and the channel concatenation of a graph):
// input ports that advance together (in_a, in_b, and for a concatenation of more than two
// streams in_more) and one output port. take_all() takes the next row of every input and
// stops the simulation with a clear message if they are not the same row of the same frame
// (a wiring error, never a data-dependent event).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tlm/timed_block.hpp"

namespace qsim {

class JoinBlock : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in_a;
    sc_core::sc_port<RowReadIf> in_b;
    sc_core::sc_vector<sc_core::sc_port<RowReadIf>> in_more;  // inputs 3 .. N
    sc_core::sc_port<RowWriteIf> out;

protected:
    // `inputs`: the streams joined, at least two.
    JoinBlock(sc_core::sc_module_name name, sc_core::sc_time period, std::string layer, std::string role,
              int inputs = 2);
    std::pair<StreamRow, StreamRow> take_both();
    std::vector<StreamRow> take_all();
};

}  // namespace qsim
