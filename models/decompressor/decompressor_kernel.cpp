#include "models/decompressor/decompressor_kernel.hpp"

#include <stdexcept>

namespace qsim {

std::vector<DecodedRow> run_decoder(const EncodedWeights& stream, int first_channel, int channel_step) {
    std::vector<DecodedRow> rows;
    rows.reserve(size_t(stream.rows));
    EntryReader reader(stream);
    const uint32_t skip = (uint32_t(1) << stream.delta_bits) - 1;
    for (int64_t r = 0; r < stream.rows; ++r) {
        DecodedRow row;
        row.channel = first_channel + int(r) * channel_step;
        int64_t counter = -1;  // the address counter: the synapse of the last weight
        for (;;) {
            const CodedEntry e = reader.next();  // one entry per clock
            ++row.cycles;
            if (e.kind == EntryKind::EndOfRow) break;
            counter += e.kind == EntryKind::Skip ? skip : e.delta;
            if (e.kind == EntryKind::Weight) row.entries.push_back({uint32_t(counter), e.weight});
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

DecompressorKernel::DecompressorKernel(const LayerConfig& l, const LayerParams& p, int lane, int lanes) {
    if (l.weights.quant != WeightQuant::Ternary)
        throw std::invalid_argument("decompressor: layer '" + l.name + "' needs ternary weights");
    const int64_t fan_in = l.fan_in();
    const int n = l.out.channels;
    if (lanes < 1 || lane < 0 || lane >= lanes || n % lanes != 0)
        throw std::invalid_argument("decompressor: lane " + std::to_string(lane) + " of " + std::to_string(lanes) +
                                    " does not divide " + std::to_string(n) + " channels");
    if (int64_t(p.weights.size()) != int64_t(n) * fan_in)
        throw std::invalid_argument("decompressor: layer '" + l.name + "' has " + std::to_string(p.weights.size()) +
                                    " weights, expected " + std::to_string(int64_t(n) * fan_in));
    // The lane's memory: its channels' rows, one after the other.
    const int rows = n / lanes;
    std::vector<int8_t> mine(size_t(rows) * size_t(fan_in));
    for (int f = 0; f < rows; ++f) {
        const int8_t* src = p.weights.data() + size_t(f * lanes + lane) * size_t(fan_in);
        std::copy(src, src + fan_in, mine.begin() + ptrdiff_t(f) * fan_in);
    }
    stream_ = encode_ternary(mine.data(), rows, fan_in, l.decompressor.encoding, l.decompressor.delta_bits);
    rows_ = run_decoder(stream_, lane, lanes);
    for (const auto& r : rows_) pass_cycles_ += r.cycles;
}

SparsePeKernel::SparsePeKernel(const LayerConfig& l, const LayerParams& p)
    : encoding_(l.in_encoding), thresholds_(l, p) {}

void SparsePeKernel::accumulate(const DecodedRow& row, const int32_t* const* inputs, int pes, int64_t* acc) const {
    for (int i = 0; i < pes; ++i) {
        const int32_t* x = inputs[i];
        int64_t a = 0;
        for (const auto& e : row.entries) {
            const int64_t v = decode_value(x[e.address], encoding_);
            a += e.weight > 0 ? v : -v;  // ADD/SUB by the weight's sign
        }
        acc[i] = a;
    }
}

}  // namespace qsim
