// Switching activity of the data a block moves, counted from the codes themselves: the bits
// that toggle between successive words of a bus that carries `lanes` codes of `bits` bits a
// clock, and how many codes are zero. The PE arrays count their operand bus (the SIMD input
// codes every PE sees) and their output stream; the weight words a PE reads in a pass are
// counted from the layer's parameters. docs/power.md turns the counts into watts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

struct OperandActivity {
    uint64_t words = 0;    // bus words (clocks with data)
    uint64_t bits = 0;     // bits carried: words x lanes x bits
    uint64_t toggles = 0;  // bits that differ from the same lane's bit one word earlier
    uint64_t codes = 0;    // codes carried
    uint64_t zeros = 0;    // codes whose value is 0 (no product, nothing to accumulate)

    OperandActivity& operator+=(const OperandActivity& o) {
        words += o.words;
        bits += o.bits;
        toggles += o.toggles;
        codes += o.codes;
        zeros += o.zeros;
        return *this;
    }
    // Fraction of the bits that toggle a word (0 when nothing was carried).
    double toggle_rate() const { return bits ? double(toggles) / double(bits) : 0.0; }
    double nonzero_rate() const { return codes ? double(codes - zeros) / double(codes) : 0.0; }
};

// A bus of `lanes` lanes of `bits`-bit codes. count() adds `n` codes carried `lanes` at a time
// (a run that is not a whole number of words ends with a partial word, and the next run starts
// a new word): each lane's bits are compared with what the same lane carried last, across runs
// (the very first word with nothing). `zero_code`: the code of the value 0, or -1 when no code
// means 0 (bipolar {-1, +1}).
class BusMeter {
public:
    BusMeter(int lanes, int bits, int32_t zero_code);
    void count(const int32_t* codes, size_t n);
    const OperandActivity& activity() const { return activity_; }
    void reset() { activity_ = {}; }

private:
    size_t lanes_;
    int bits_;
    uint32_t mask_;
    int32_t zero_;
    bool primed_ = false;
    std::vector<int32_t> last_;  // what each lane carried last
    OperandActivity activity_;
};

// The weight words of a compute layer as its PEs read them in one pass over the weight
// memories (every neuron fold, every synapse fold): PE p reads SIMD weights of output channel
// nf x PE + p a clock. RCCM layers read select indices. Counted once from the parameters.
OperandActivity weight_read_activity(const LayerConfig& l, const LayerParams& params);

}  // namespace qsim
