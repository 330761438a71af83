// The label-select kernel (models/topk/topk_kernel): lanes' insertion lists and their merge
// agree with the golden reference's stable sort on random vectors full of ties, for every
// k and lane count; and the design rules of a topk layer name the field at fault.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/common/rng.hpp"
#include "models/topk/topk_kernel.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/golden/golden_reference.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace topk_kernel_test {

LayerConfig topk_layer(int channels, int k, Encoding e, int bits) {
    LayerConfig l;
    l.name = "top";
    l.type = LayerType::TopK;
    l.in = {1, 1, channels};
    l.in_encoding = e;
    l.in_bits = bits;
    l.top_k = k;
    l.out = {1, 1, k};
    l.out_encoding = Encoding::Unsigned;
    return l;
}

TEST(TopKKernel, LanesAndMergeAgreeWithAStableSort) {
    Rng rng(17);
    int cases = 0;
    for (int channels : {1, 2, 5, 10, 17, 64})
        for (int lanes : {1, 2, 3, 4, 7})
            for (int k = 1; k <= channels; k += (channels > 10 ? 5 : 1)) {
                // Few distinct values: ties everywhere. Bipolar codes compare as their values.
                const Encoding e = cases % 3 == 0 ? Encoding::Bipolar : Encoding::Signed;
                const int span = e == Encoding::Bipolar ? 2 : 5;
                FeatureMap x(FmShape{1, 1, channels});
                for (auto& v : x.data) v = int32_t(rng.below(uint32_t(span))) - (e == Encoding::Signed ? 2 : 0);
                const FeatureMap want = golden::run_layer(topk_layer(channels, k, e, e == Encoding::Bipolar ? 1 : 4),
                                                          LayerParams{}, x);
                std::vector<int32_t> got(size_t(k), -1);
                select_top_k(x.data.data(), channels, k, lanes, got.data());
                EXPECT_EQ(got, want.data) << channels << " channels, " << lanes << " lanes, k " << k;
                ++cases;
            }
    EXPECT_GT(cases, 100);
}

TEST(TopKKernel, TheListsAreReusedFrameAfterFrame) {
    TopKLists lists(2, 2);
    const int32_t a[] = {5, 9, 1, 9}, b[] = {-3, -1, -2, -8};
    int32_t out[2];
    for (int c = 0; c < 4; ++c) lists.insert(a[c], c);
    lists.merge(out);
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[1], 3);
    lists.clear();
    for (int c = 0; c < 4; ++c) lists.insert(b[c], c);
    lists.merge(out);
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[1], 2);
}

std::string net(const std::string& topk, const std::string& before = "- { name: gp, type: global_maxpool }") {
    return R"(name: t
device: { name: generic, clock_mhz: 100 }
input: { height: 4, width: 4, channels: 10, bits: 4 }
layers:
  )" + before + R"(
  - )" + topk + "\n";
}

std::string error_of(const std::string& yaml) { return testing_support::config_error_text(yaml); }

TEST(TopKConfig, DerivesLabelCodesAndRefusesWhatItCannotSelect) {
    const NetworkConfig n = parse_network_config(net("{ name: top, type: topk, k: 4, folding: { simd: 5 } }"), "t.yaml");
    const LayerConfig& t = n.layers[1];
    EXPECT_EQ(t.out.channels, 4);
    EXPECT_EQ(t.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(t.out_bits, 4);  // labels 0 .. 9
    EXPECT_NE(error_of(net("{ name: top, type: topk, k: 11 }")).find("layers[1].k: must be at most the 10 labels"),
              std::string::npos);
    EXPECT_NE(error_of(net("{ name: top, type: topk, folding: { simd: 3 } }"))
                  .find("layers[1].folding.simd: must divide in_channels = 10"),
              std::string::npos);
    EXPECT_NE(error_of(net("{ name: top, type: topk }", "- { name: p, type: maxpool, kernel: 2 }"))
                  .find("a topk layer selects from a 1 x 1 x C vector (the output of an fc layer or a global "
                        "pool); its input is 2 x 2 x 10"),
              std::string::npos);
    EXPECT_NE(error_of(net("{ name: top, type: topk, kernel: 3 }")).find("kernel"), std::string::npos);
}

}  // namespace topk_kernel_test
}  // namespace qsim
