// Module tests of the DMA engine's weight channel (channel 1): a host thread writes layer
// records (u64 length + record) in bursts of various sizes and orders; the engine must hand
// the decoded parameters to its sink once a record is complete, the same object again for a
// record equal to the window's last one, and a fresh decode for any changed byte, wherever
// the change is and whatever the order of the bursts.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/dma/dma_engine.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"
#include "testbenches/unit/net_builder.hpp"
#include "tlm/row_fifo.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {
namespace dma_weight_channel_test {

// A burst: its offset in the window and its bytes.
using Burst = std::pair<uint64_t, std::vector<uint8_t>>;

// u64 length + record, cut into bursts of `chunk` bytes, in order.
std::vector<Burst> bursts_of(const std::vector<uint8_t>& record, size_t chunk) {
    std::vector<uint8_t> all(8);
    for (int b = 0; b < 8; ++b) all[size_t(b)] = uint8_t(uint64_t(record.size()) >> (8 * b));
    all.insert(all.end(), record.begin(), record.end());
    std::vector<Burst> v;
    for (size_t off = 0; off < all.size(); off += chunk)
        v.push_back({off, std::vector<uint8_t>(all.begin() + ptrdiff_t(off),
                                               all.begin() + ptrdiff_t(std::min(all.size(), off + chunk)))});
    return v;
}

// The first burst, then the others last to first.
std::vector<Burst> reordered(std::vector<Burst> v) {
    std::reverse(v.begin() + 1, v.end());
    return v;
}

class Host : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Host> socket;
    tlm_utils::simple_initiator_socket<Host> input_socket, output_socket;  // bound, not used
    std::function<void(Host&)> script;

    SC_HAS_PROCESS(Host);
    explicit Host(sc_core::sc_module_name n)
        : sc_core::sc_module(n), socket("socket"), input_socket("input_socket"), output_socket("output_socket") {
        SC_THREAD(run);
    }

    // Writes the bursts to window `window`; the response status of each.
    std::vector<tlm::tlm_response_status> send(size_t window, const std::vector<Burst>& bursts) {
        std::vector<tlm::tlm_response_status> status;
        for (const auto& [offset, bytes] : bursts) {
            std::vector<uint8_t> data = bytes;
            tlm::tlm_generic_payload gp;
            gp.set_command(tlm::TLM_WRITE_COMMAND);
            gp.set_address(device_map::kWeightWindowSize * window + offset);
            gp.set_data_ptr(data.data());
            gp.set_data_length(unsigned(data.size()));
            gp.set_streaming_width(unsigned(data.size()));
            gp.set_byte_enable_ptr(nullptr);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->b_transport(gp, delay);
            wait(delay);
            status.push_back(gp.get_response_status());
        }
        return status;
    }

private:
    void run() {
        if (script) script(*this);
    }
};

// mixed_net's compute layers, window by window: conv1, conv2 (ternary), fc1, fc2 (binary), fc3.
constexpr size_t kConv2Window = 1, kFc2Window = 3;

struct Bench {
    NetworkConfig net = testing_support::mixed_net(testing_support::NetBuilder(8, 8, 3));
    NetworkParams params;
    RowFifo to_accel{"to_accel", 4}, from_accel{"from_accel", 4};
    std::vector<std::pair<size_t, std::shared_ptr<const LayerImage>>> received;
    std::unique_ptr<DmaEngine> dma;
    Host host{"host"};

    Bench() {
        ensure_time_resolution();
        params = generate_params(net, 7, 0.0);
        dma = std::make_unique<DmaEngine>("dma", net, net.layers.size(), net.host.dma,
                                          [this](size_t layer, const std::shared_ptr<const LayerImage>& p) {
                                              received.push_back({layer, p});
                                          });
        dma->to_accelerator(to_accel);
        dma->from_accelerator(from_accel);
        host.socket(dma->weight_socket);
        host.input_socket(dma->input_socket);
        host.output_socket(dma->output_socket);
    }
    size_t layer(const std::string& name) const {
        for (size_t l = 0; l < net.layers.size(); ++l)
            if (net.layers[l].name == name) return l;
        return net.layers.size();
    }
    std::vector<uint8_t> record(const std::string& name) const {
        const size_t l = layer(name);
        return encode_layer_record(net.layers[l], params.layers[l]);
    }
    // Where a record's packed weights start (after the name and the fixed fields).
    static size_t packed_at(const std::string& name) { return 2 + name.size() + 28; }
    void expect_decoded(size_t i, const std::string& name, const std::vector<uint8_t>& rec) const {
        ASSERT_LT(i, received.size());
        EXPECT_EQ(received[i].first, layer(name));
        const LayerConfig& cfg = net.layers[layer(name)];
        const LayerParams want = decode_layer_record(rec, cfg);
        // The weights are in the image's memories only.
        const WeightMemory& memory = *received[i].second->memory;
        std::vector<int8_t> got(want.weights.size());
        for (int n = 0; n < cfg.out.channels; ++n) memory.channel_weights(n, &got[size_t(n) * size_t(cfg.fan_in())]);
        EXPECT_EQ(got, want.weights) << "record " << i;
        EXPECT_TRUE(received[i].second->params.weights.empty()) << "record " << i;
        EXPECT_EQ(received[i].second->params.thresholds, want.thresholds) << "record " << i;
    }
};

TEST(DmaWeightChannel, RepeatedRecordGivesTheSameParametersForAnyBurstSize) {
    Bench b;
    const std::vector<uint8_t> rec = b.record("fc2");
    b.host.script = [&](Host& h) {
        h.send(kFc2Window, bursts_of(rec, 16));
        for (size_t chunk : {size_t(3), size_t(5), size_t(8), size_t(64), rec.size() + 8})
            h.send(kFc2Window, bursts_of(rec, chunk));
        h.send(kFc2Window, reordered(bursts_of(rec, 7)));
    };
    sc_core::sc_start();
    ASSERT_EQ(b.received.size(), 7u);
    b.expect_decoded(0, "fc2", rec);
    for (size_t i = 1; i < b.received.size(); ++i) EXPECT_EQ(b.received[i].second, b.received[0].second) << i;
    EXPECT_TRUE(b.dma->last_error().empty()) << b.dma->last_error();
}

TEST(DmaWeightChannel, ChangedByteAnywhereIsDecodedAgain) {
    // A weight changed in the first, a middle and the last packed byte; each record sent in
    // order and out of order after the unchanged one.
    Bench b;
    const std::vector<uint8_t> rec = b.record("fc2");
    const size_t first = Bench::packed_at("fc2"), packed = 15 * 32 / 8;
    std::vector<std::vector<uint8_t>> changed;
    for (size_t at : {first, first + packed / 2, first + packed - 1}) {
        changed.push_back(rec);
        changed.back()[at] ^= 0x10;
    }
    b.host.script = [&](Host& h) {
        for (const auto& c : changed) {
            h.send(kFc2Window, bursts_of(rec, 16));
            h.send(kFc2Window, bursts_of(c, 16));
            h.send(kFc2Window, bursts_of(rec, 16));
            h.send(kFc2Window, reordered(bursts_of(c, 16)));
        }
    };
    sc_core::sc_start();
    ASSERT_EQ(b.received.size(), 4 * changed.size());
    for (size_t k = 0; k < changed.size(); ++k) {
        SCOPED_TRACE("change " + std::to_string(k));
        b.expect_decoded(4 * k + 0, "fc2", rec);
        b.expect_decoded(4 * k + 1, "fc2", changed[k]);
        b.expect_decoded(4 * k + 2, "fc2", rec);
        b.expect_decoded(4 * k + 3, "fc2", changed[k]);
        EXPECT_NE(b.received[4 * k + 1].second, b.received[4 * k].second);
        EXPECT_NE(b.received[4 * k + 2].second, b.received[4 * k + 1].second);
    }
}

TEST(DmaWeightChannel, InvalidCodeAfterAMatchingPrefixIsReported) {
    // conv2's record again, with its last weight's ternary code set to the invalid 10.
    Bench b;
    const std::vector<uint8_t> rec = b.record("conv2");
    std::vector<uint8_t> bad = rec;
    const size_t count = size_t(b.net.layers[b.layer("conv2")].fan_in()) * 16;
    const size_t last = Bench::packed_at("conv2") + (2 * count + 7) / 8 - 1;
    bad[last] = uint8_t((bad[last] & 0x3F) | 0x80);  // code 4k+3 of the byte := 10
    std::vector<tlm::tlm_response_status> status;
    b.host.script = [&](Host& h) {
        h.send(kConv2Window, bursts_of(rec, 32));
        status = h.send(kConv2Window, bursts_of(bad, 32));
        h.send(kConv2Window, bursts_of(rec, 32));
    };
    sc_core::sc_start();
    ASSERT_EQ(b.received.size(), 2u);
    b.expect_decoded(0, "conv2", rec);
    b.expect_decoded(1, "conv2", rec);
    EXPECT_EQ(b.received[1].second, b.received[0].second);  // the bad record did not replace the last one
    EXPECT_EQ(status.back(), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_NE(b.dma->last_error().find("invalid code 10"), std::string::npos) << b.dma->last_error();
}

}  // namespace dma_weight_channel_test
}  // namespace qsim
