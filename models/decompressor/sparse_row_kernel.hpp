// The fast value path of the decompressor-fed PE array (sparse_pe_array): the decoded rows of a
// layer are fixed, so they are turned once, when the array is built, into a form that sums
// quickly, and each pass's P input vectors are prepared once for all the rows of every lane.
// Only the values come from here; the cycles and counts still follow the decoder's rows
// (DecodedRow::cycles, entries) as the decompressor emits them.
//
// Each row takes the cheaper of two forms (both give exactly SparsePeKernel::accumulate's
// int64 sum, which stays the portable reference):
//   dense : bit masks of its +1 and -1 synapses; the inputs as bit planes of u = code + bias
//           (value = scale * u + shift: bipolar 2c - 1, unsigned c, signed c with bias
//           2^(b-1)), so acc = scale * sum_j 2^j (popcount(plane_j & pos) -
//           popcount(plane_j & neg)) + shift * (#pos - #neg). Used for inputs of at most 8
//           planes whose codes are all in range (checked per pass; else the sparse form).
//   sparse: the addresses of its +1 and of its -1 weights; acc = the sums of the raw codes at
//           them, difference, then scaled as above (bipolar: 2 S - (#pos - #neg)).
#pragma once

#include <cstdint>
#include <vector>

#include "models/common/types.hpp"
#include "models/decompressor/decompressor_kernel.hpp"

namespace qsim {

class SparseRowKernel {
public:
    // Cheaper: each row the form with fewer operations per input; Dense, Sparse: every row that
    // form (tests; Dense only where the encoding has planes).
    enum class Form { Cheaper, Dense, Sparse };
    // `encoding`, `bits`: the layer's input codes; add_row: every decoded row of the layer (any
    // order, channels 0 .. channels - 1 each once).
    SparseRowKernel(Encoding encoding, int bits, int64_t fan_in, int channels, Form form = Form::Cheaper);
    void add_row(const DecodedRow& row);

    // Takes the `pes` input vectors (fan_in codes each) of the next pass.
    void load_inputs(const int32_t* const* inputs, int pes);
    // acc[i] for the loaded input i < pes, of the row of `channel`: SparsePeKernel::accumulate.
    void accumulate(int channel, int64_t* acc) const;

    // Which form the row of `channel` took (tests, profiles).
    bool dense(int channel) const { return rows_[size_t(channel)].dense; }

private:
    struct Row {
        bool dense = false;
        int64_t net = 0;                  // #pos - #neg
        std::vector<uint32_t> plus, minus;  // sparse form (kept for passes the planes cannot hold)
        std::vector<uint64_t> pos, neg;     // dense form: words_ each
    };
    void accumulate_sparse(const Row& r, int64_t* acc) const;
    void accumulate_dense(const Row& r, int64_t* acc) const;

    Encoding encoding_;
    Form form_;
    int64_t fan_in_;
    size_t words_;
    int planes_ = 0;        // 0: no dense form for this encoding
    int64_t scale_ = 1, shift_ = 0, bias_ = 0;
    std::vector<Row> rows_;
    // The loaded pass.
    std::vector<const int32_t*> inputs_;
    bool planes_ok_ = false;                 // every input's codes fit the planes
    std::vector<uint64_t> input_planes_;     // per input: words_ x planes_ (plane fastest)
    std::vector<int32_t> biased_;
    bool avx2_ = false;
};

}  // namespace qsim
