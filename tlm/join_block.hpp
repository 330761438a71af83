// Base of the blocks that join two streams (the adder and the channel concatenation of a
// graph): two input ports that advance together and one output port. take_both() takes the
// next row of each input and stops the simulation with a clear message if they are not the
// same row of the same frame (a wiring error, never a data-dependent event).
#pragma once

#include <string>
#include <utility>

#include "tlm/timed_block.hpp"

namespace qsim {

class JoinBlock : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in_a;
    sc_core::sc_port<RowReadIf> in_b;
    sc_core::sc_port<RowWriteIf> out;

protected:
    JoinBlock(sc_core::sc_module_name name, sc_core::sc_time period, std::string layer, std::string role);
    std::pair<StreamRow, StreamRow> take_both();
};

}  // namespace qsim
