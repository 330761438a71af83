#include "models/network/fifo_sites.hpp"

namespace qsim {

uint64_t output_word_bits(const LayerConfig& l) {
    if (l.is_compute()) return uint64_t(l.physical_pe()) * uint64_t(l.folding.mmv) * uint64_t(l.out_bits);
    return uint64_t(l.folding.simd) * uint64_t(l.out_bits);
}

std::vector<FifoSite> fifo_sites(const NetworkConfig& net) {
    std::vector<FifoSite> sites;
    const size_t on_chip = net.device_layer_count();
    if (on_chip == 0) return sites;
    const FmShape& in = net.input.shape;
    FifoSite input;
    input.kind = FifoKind::Input;
    input.reader = 0;
    input.depth_rows = net.input.fifo_depth;
    input.frame_rows = in.height;
    input.row_bits = uint64_t(in.width) * in.channels * net.input.bits;
    input.word_bits = uint64_t(net.input.stream_bits);
    input.label = "input -> " + net.layers.front().name;
    input.field = "input.fifo_depth";
    sites.push_back(input);
    for (size_t i = 0; i < on_chip; ++i) {
        const LayerConfig& l = net.layers[i];
        const std::vector<size_t> readers = i + 1 < on_chip ? net.readers(i) : std::vector<size_t>{};
        FifoSite out;
        out.producer = int(i);
        out.reader = readers.size() == 1 ? int(readers[0]) : -1;
        out.depth_rows = l.fifo_depth;
        out.frame_rows = l.out.height;
        out.row_bits = uint64_t(l.out.width) * l.out.channels * l.out_bits;
        out.word_bits = output_word_bits(l);
        out.label = l.name + " -> " +
                    (readers.size() == 1 ? net.layers[readers[0]].name : readers.empty() ? "output" : "fork");
        out.field = "layers[" + std::to_string(i) + "].fifo_depth";
        sites.push_back(out);
        if (readers.size() < 2) continue;
        for (size_t reader : readers) {
            // A fork's branch carries one pixel a clock.
            FifoSite b = out;
            b.kind = FifoKind::Branch;
            b.reader = int(reader);
            const std::vector<int> from = net.inputs_of(reader);
            for (size_t k = 0; k < from.size(); ++k)
                if (from[k] == int(i)) b.input = int(k);
            b.depth_rows = net.branch_fifo_depth(i, reader);
            b.word_bits = uint64_t(l.out.channels) * l.out_bits;
            b.label = l.name + " -> " + net.layers[reader].name;
            b.field = "layers[" + std::to_string(reader) + "].input_fifo_depths[" + std::to_string(b.input) + "]";
            sites.push_back(b);
        }
    }
    return sites;
}

}  // namespace qsim
