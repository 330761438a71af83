// Core tests of the SWU window kernel, the pooling kernels and the per-block timing rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/common/rng.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "sim/design/config_loader.hpp"
#include "models/pool/pool_kernel.hpp"
#include "models/pool/pool_timing.hpp"
#include "models/source/input_kernel.hpp"
#include "models/source/source_timing.hpp"
#include "models/swu/swu_timing.hpp"
#include "models/swu/window_kernel.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace window_timing_test {

LayerConfig conv3x3_pad1_on_4x4x2() {
    LayerConfig l = testing_support::conv_layer("c", 3, 1, 1, {4, 4, 2}, 3);  // out 4x4x3
    l.folding = {1, 2, 2};
    return l;
}

TEST(WindowKernel, BuildsWindowsInKyKxCOrderWithZeroPadding) {
    const LayerConfig l = conv3x3_pad1_on_4x4x2();
    // Input row y holds codes 100*y + 10*x + c.
    std::vector<std::vector<int32_t>> rows(4, std::vector<int32_t>(8));
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 2; ++c) rows[size_t(y)][size_t(x * 2 + c)] = 100 * y + 10 * x + c;
    // Output row 0 covers input rows -1 (padding), 0, 1.
    EXPECT_EQ(swu_first_input_row(l, 0), -1);
    const int32_t* ptrs[3] = {nullptr, rows[0].data(), rows[1].data()};
    std::vector<int32_t> out(4 * 9 * 2);
    build_window_row(l, ptrs, out.data());
    // Window of output pixel x=0: (ky, kx) = (0,*) padding; (1,0) padding; (1,1) = input (0,0).
    const int32_t* w = out.data();
    for (int i = 0; i < 6; ++i) EXPECT_EQ(w[i], 0);
    EXPECT_EQ(w[6], 0);                    // (1,0) pad
    EXPECT_EQ(w[8], 0);                    // (1,1) c0 = input(0,0,0)
    EXPECT_EQ(w[9], 1);                    // (1,1) c1
    EXPECT_EQ(w[10], 10);                  // (1,2) = input(0,1,0)
    EXPECT_EQ(w[12], 0);                   // (2,0) pad
    EXPECT_EQ(w[14], 100);                 // (2,1) = input(1,0,0) at offset (2*3+1)*2
    EXPECT_EQ(w[16], 110);                 // (2,2) = input(1,1,0)
    // Last pixel x=3: (1,2) is right padding.
    const int32_t* last = out.data() + 3 * 18;
    EXPECT_EQ(last[(1 * 3 + 1) * 2], 30);  // (1,1) = input(0,3,0)
    EXPECT_EQ(last[(1 * 3 + 2) * 2], 0);   // (1,2) pad
}

TEST(WindowKernel, AOneDLayerBuildsKx1WindowsPaddedAlongTheHeightOnly) {
    // K = 3, padding 1 on a 5 x 1 x 2 map: output 5 x 1, windows of 3 positions x 2 channels.
    LayerConfig l = testing_support::conv_layer("c", 3, 1, 1, {5, 1, 2}, 4);
    l.one_d = true;
    l.out.width = 1;
    EXPECT_EQ(l.window_area(), 3);
    EXPECT_EQ(l.fan_in(), 6);
    std::vector<std::vector<int32_t>> rows(5, std::vector<int32_t>(2));
    for (int y = 0; y < 5; ++y)
        for (int c = 0; c < 2; ++c) rows[size_t(y)][size_t(c)] = 10 * y + c + 1;
    // Output row 0 covers rows -1 (padding), 0 and 1; the single column is never padded.
    const int32_t* ptrs[3] = {nullptr, rows[0].data(), rows[1].data()};
    std::vector<int32_t> out(3 * 2, -7);
    build_window_row(l, ptrs, out.data());
    EXPECT_EQ(out, (std::vector<int32_t>{0, 0, 1, 2, 11, 12}));
    // Timing: the window side spends K * ceil(C/SIMD) cycles per output pixel, one pixel a row.
    l.folding = {1, 1, 1};
    EXPECT_EQ(swu_window_cycles_per_row(l), 3u * 2u);
}

TEST(WindowKernel, MaxPoolPaddingNeverWins) {
    LayerConfig l;
    l.type = LayerType::MaxPool;
    EXPECT_EQ(swu_pad_code(l), std::numeric_limits<int32_t>::min());
    l.type = LayerType::Conv;
    EXPECT_EQ(swu_pad_code(l), 0);
}

TEST(PoolKernel, MaxOverWindowsAndGlobalMax) {
    // 2 windows of area 2, 3 channels.
    const std::vector<int32_t> windows = {1, 5, -7, 4, 2, -9, /* window 2 */ 0, 0, 0, 3, -1, 8};
    std::vector<int32_t> out(6);
    max_pool_windows(windows.data(), 2, 2, 3, out.data());
    EXPECT_EQ(out, (std::vector<int32_t>{4, 5, -7, 3, 0, 8}));
    std::vector<int32_t> running(3, std::numeric_limits<int32_t>::min());
    global_max_accumulate(windows.data(), 4, 3, running.data());
    EXPECT_EQ(running, (std::vector<int32_t>{4, 5, 8}));
    // Sums of values: codes as they are, or bipolar codes as 2c - 1.
    std::vector<int32_t> sum(3, 0);
    global_sum_accumulate(windows.data(), 4, 3, Encoding::Signed, sum.data());
    EXPECT_EQ(sum, (std::vector<int32_t>{1 + 4 + 0 + 3, 5 + 2 + 0 - 1, -7 - 9 + 0 + 8}));
    const std::vector<int32_t> bipolar = {1, 0, 1, 1, 1, 0};
    std::vector<int32_t> votes(3, 0);
    global_sum_accumulate(bipolar.data(), 2, 3, Encoding::Bipolar, votes.data());
    EXPECT_EQ(votes, (std::vector<int32_t>{2, 0, 0}));
}

TEST(TimingRules, FollowTheFoldingFormulas) {
    LayerConfig l = conv3x3_pad1_on_4x4x2();
    // SWU: accepts W * ceil(C/SIMD) = 4 * 1 per row; emits ceil(4/2) * 9 * 1 per row.
    EXPECT_EQ(swu_input_cycles_per_row(l), 4u);
    EXPECT_EQ(swu_window_cycles_per_row(l), 18u);
    EXPECT_EQ(swu_buffer_rows(l), 4);  // K + stride by default
    // MVTU: fan_in/SIMD = 18/2 = 9, N/PE = 3, ceil(W/MMV) = 2 -> 54 per row, 216 per frame.
    EXPECT_EQ(mvtu_cycles_per_row(l), 54u);
    EXPECT_EQ(mvtu_cycles_per_frame(l), 216u);
    EXPECT_EQ(mvtu_lanes(l), 4u);
    EXPECT_EQ(mvtu_ops_per_frame(l), 18u * 3 * 16);

    InputConfig in;
    in.shape = {224, 224, 3};
    in.bits = 8;
    in.stream_bits = 24;
    EXPECT_EQ(source_row_cycles(in), 224u);  // one RGB pixel per clock
    in.stream_bits = 64;
    EXPECT_EQ(source_row_cycles(in), 84u);   // ceil(224*24/64)

    LayerConfig pool;
    pool.type = LayerType::MaxPool;
    pool.kernel = 3;
    pool.in = {54, 54, 154};
    pool.out = {27, 27, 154};
    pool.folding.simd = 154;
    EXPECT_EQ(pool_cycles_per_row(pool), 27u * 9);
    pool.type = LayerType::GlobalMaxPool;
    pool.folding.simd = 77;
    EXPECT_EQ(global_pool_cycles_per_row(pool), 54u * 2);
}

TEST(TimingRules, TheWindowSideWaitsForRowsTheLineBufferCouldNotTakeAtAFrameBoundary) {
    // 3x3, stride 1, no padding on 10 rows: the last window row holds rows 7-9, the next frame's
    // first needs rows 0-2; 4 rows of buffer leave room for one of them.
    LayerConfig l = testing_support::conv_layer("c", 3, 1, 0, {10, 10, 4}, 2);
    l.folding = {1, 2, 1};
    EXPECT_EQ(swu_frame_boundary_rows(l), 2);
    EXPECT_EQ(swu_frame_boundary_cycles(l), 2u * 10 * 2);
    EXPECT_EQ(swu_read_cycles_per_frame(l), swu_window_cycles_per_frame(l) + 40);
    l.swu_buffer_rows = 5;
    EXPECT_EQ(swu_frame_boundary_rows(l), 1);
    l.swu_buffer_rows = 6;
    EXPECT_EQ(swu_frame_boundary_rows(l), 0);
    EXPECT_EQ(swu_read_cycles_per_frame(l), swu_window_cycles_per_frame(l));
    // Padding 1: the last window row holds rows 8-9, the first needs rows 0-1 (row -1 is padding).
    EXPECT_EQ(swu_frame_boundary_rows(conv3x3_pad1_on_4x4x2()), 0);
    // 11x11 stride 4 on 227 rows (AlexNet's first layer): rows 216-226 held, 0-10 needed, 15 slots.
    LayerConfig big = testing_support::conv_layer("big", 11, 4, 0, {227, 227, 3}, 96);
    EXPECT_EQ(swu_frame_boundary_rows(big), 7);
    // 2x2 stride-2 pooling: the last window row holds 2 rows, the first needs 2, 4 slots.
    LayerConfig pool = testing_support::conv_layer("p", 2, 2, 0, {26, 26, 8}, 8);
    pool.type = LayerType::MaxPool;
    EXPECT_EQ(swu_frame_boundary_rows(pool), 0);
    // PE reuse keeps the whole frame: the next frame's rows go in as the last pass frees rows.
    LayerConfig reused = l;
    reused.swu_buffer_rows = 10;
    reused.reuse = 2;
    EXPECT_EQ(swu_frame_boundary_rows(reused), 0);
}

TEST(DataflowEstimate, AlexNetPruned40IsBoundByTheInputStream) {
    const NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pruned40.yaml");
    const DataflowEstimate est = estimate_dataflow(net);
    // Layer 1 after pruning: SIMD 3, PE 60, MMV 18 (ch. 4.7.1.1): 144 * 1 * 54*3 cycles.
    const LayerConfig* conv1 = net.find_layer("conv1");
    ASSERT_NE(conv1, nullptr);
    EXPECT_EQ(conv1->out.channels, 60);
    EXPECT_EQ(mvtu_cycles_per_frame(*conv1), 144u * 1 * 54 * 3);
    // The 224x224 image streams in one 24-bit pixel per clock.
    EXPECT_EQ(est.interval_cycles, 224u * 224);
    EXPECT_EQ(est.blocks[est.bottleneck].role, "source");
    // Every layer is balanced at or below the first layer's interval (ch. 4.7.1.1).
    for (const auto& b : est.blocks) EXPECT_LE(b.cycles_per_frame, est.interval_cycles) << b.layer << " " << b.role;
}

TEST(InputGenerator, IsDeterministicAndCoversTheRange) {
    InputConfig in;
    in.shape = {8, 8, 3};
    in.bits = 4;
    in.seed = 3;
    const FeatureMap a = generate_input_frame(in, 0), b = generate_input_frame(in, 0), c = generate_input_frame(in, 1);
    EXPECT_EQ(a.data, b.data);
    EXPECT_NE(a.data, c.data);
    int lo = 99, hi = -99;
    for (int v : a.data) lo = std::min(lo, v), hi = std::max(hi, v);
    EXPECT_EQ(lo, 0);
    EXPECT_EQ(hi, 15);
    in.is_signed = true;
    for (int v : generate_input_frame(in, 2).data) {
        EXPECT_GE(v, -8);
        EXPECT_LE(v, 7);
    }
}

// The source generates a row at a time (and vectorised where the processor allows): any run
// of codes is the sequential stream's, code i the (i + 1)-th value of the frame's Rng.
TEST(InputGenerator, CodesOfAnyRangeAreTheSequentialStreams) {
    for (const int bits : {1, 2, 7, 8, 12, 16})
        for (const bool is_signed : {false, true}) {
            InputConfig in;
            in.shape = {5, 13, 7};
            in.bits = bits;
            in.is_signed = is_signed;
            in.seed = uint64_t(bits) * 977;
            for (const int frame : {0, 3}) {
                const FeatureMap whole = generate_input_frame(in, frame);
                Rng rng(Rng::mix(in.seed, uint64_t(frame) + 1));
                const uint32_t levels = uint32_t(1) << bits;
                const int32_t lowest = is_signed ? -int32_t(levels / 2) : 0;
                for (size_t i = 0; i < whole.data.size(); ++i)
                    ASSERT_EQ(whole.data[i], lowest + int32_t(rng.below(levels))) << "code " << i;
                for (const size_t first : {size_t(0), size_t(1), size_t(91), size_t(439)})
                    for (const size_t count : {size_t(0), size_t(1), size_t(9), size_t(16), size_t(5)}) {
                        std::vector<int32_t> part(count);
                        generate_input_codes(in, frame, first, count, part.data());
                        EXPECT_TRUE(std::equal(part.begin(), part.end(), whole.data.begin() + ptrdiff_t(first)))
                            << "codes " << first << " + " << count;
                    }
            }
        }
}

}  // namespace window_timing_test
}  // namespace qsim
