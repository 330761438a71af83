#include "tlm/join_block.hpp"

namespace qsim {

JoinBlock::JoinBlock(sc_core::sc_module_name name, sc_core::sc_time period, std::string layer, std::string role,
                     int inputs)
    : TimedBlock(name, period, std::move(layer), std::move(role)),
      in_a("in_a"),
      in_b("in_b"),
      in_more("in_more", size_t(std::max(inputs, 2) - 2)),
      out("out") {}

std::vector<StreamRow> JoinBlock::take_all() {
    std::vector<StreamRow> rows;
    rows.reserve(2 + in_more.size());
    rows.push_back(take(in_a));
    rows.push_back(take(in_b));
    for (auto& port : in_more) rows.push_back(take(port));
    const StreamRow& a = rows.front();
    for (size_t k = 1; k < rows.size(); ++k)
        if (rows[k].frame != a.frame || rows[k].row != a.row || rows[k].pixels != a.pixels)
            SC_REPORT_FATAL(name(), ("inputs out of step: row " + std::to_string(a.row) + " of frame " +
                                     std::to_string(a.frame) + " against row " + std::to_string(rows[k].row) +
                                     " of frame " + std::to_string(rows[k].frame) + " on input " +
                                     std::to_string(k + 1))
                                        .c_str());
    return rows;
}

std::pair<StreamRow, StreamRow> JoinBlock::take_both() {
    std::vector<StreamRow> rows = take_all();
    return {std::move(rows[0]), std::move(rows[1])};
}

}  // namespace qsim
