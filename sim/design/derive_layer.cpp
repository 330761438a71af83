// derive_layer(): one layer from its specification and what reaches it (docs/config.md,
// "Derived values"), with every rule a layer must keep.
#include <algorithm>
#include <climits>
#include <cmath>
#include <map>

#include "sim/design/checker.hpp"
#include "sim/design/derive.hpp"
#include "sim/design/folding_rules.hpp"
#include "sim/design/layer_limits.hpp"
#include "sim/design/resource_rules.hpp"
#include "sim/design/text.hpp"

namespace qsim::design {

namespace {

constexpr i128 kMaxFmElements = INT_MAX;  // every feature map must fit in 2^31-1 values

// "same" padding along one axis: out = ceil(in/stride).
std::pair<int64_t, int64_t> same_padding(int64_t in, int64_t kernel, int64_t stride) {
    const int64_t out = (in + stride - 1) / stride;
    const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
    return {total / 2, total - total / 2};
}

class LayerDeriver {
public:
    LayerDeriver(Checker& c, const LayerSpec& s, size_t index, const std::vector<LayerInput>& ins)
        : c_(c), s_(s), ins_(ins), in_(ins.front()), path_("layers[" + std::to_string(index) + "]") {}

    void run(LayerConfig& L);

private:
    std::string F(const std::string& key) const { return path_ + "." + key; }
    // "missing required field" unless `g` was given (the path is built only then).
    void need(const GivenBase& g, const char* key, Origin section_at) {
        if (!g.given) fail(F(key), section_at, "missing required field");
    }
    Origin at(const GivenBase& g) const { return Checker::where(g, s_.at); }
    [[noreturn]] void fail(const std::string& field, Origin o, const std::string& message) { c_.fail(field, o, message); }
    // A broken rule at its field (or the layer when the field was not given).
    void rule(const std::optional<RuleViolation>& v) {
        if (!v) return;
        if (v->field.empty()) fail(path_, s_.at, v->message);
        const std::map<std::string, const GivenBase*> fields = {
            {"folding.simd", &s_.folding.simd}, {"folding.pe", &s_.folding.pe}, {"folding.mmv", &s_.folding.mmv},
            {"reuse", &s_.reuse}};
        const auto it = fields.find(v->field);
        fail(F(v->field), it != fields.end() ? at(*it->second) : s_.at, v->message);
    }
    void check_fm_size(const char* what, int64_t h, int64_t w, int64_t ch) {
        const i128 n = i128(h) * w * ch;
        if (n > kMaxFmElements)
            fail(path_, s_.at,
                 std::string(what) + " of " + std::to_string(h) + " x " + std::to_string(w) + " x " + std::to_string(ch) +
                     " = " + int_text(n) + " values is too large (at most 2147483647 allowed)");
    }

    void geometry(LayerConfig& L);
    void output_channels(LayerConfig& L);
    void quantisation(LayerConfig& L);
    void buffers(LayerConfig& L);
    void activation(LayerConfig& L);
    void sum_inputs(LayerConfig& L);
    void sum_positions(LayerConfig& L);
    void concat_inputs(LayerConfig& L);
    void label_select(LayerConfig& L);
    // add, concat: every input delivers activations; records the second input's codes.
    void join_inputs(LayerConfig& L);

    Checker& c_;
    const LayerSpec& s_;
    const std::vector<LayerInput>& ins_;
    const LayerInput& in_;
    const std::string path_;
};

void LayerDeriver::run(LayerConfig& L) {
    const NetworkSpec& spec = c_.spec();
    // Name and type come first: everything else depends on the type.
    if (!s_.name.given) fail(F("name"), s_.at, "missing required field");
    L.name = s_.name.value;
    if (!valid_name(L.name))
        fail(F("name"), s_.name.at,
             "expected a non-empty name of the characters A-Z a-z 0-9 _ . - (got '" + L.name + "')");
    for (const LayerSpec& other : spec.layers) {
        if (&other == &s_) break;
        if (other.name.value == L.name)
            fail(F("name"), s_.name.at,
                 "duplicate layer name '" + L.name + "' (already used by layers[" +
                     std::to_string(&other - spec.layers.data()) + "])");
    }
    if (!s_.type.given) fail(F("type"), s_.at, "missing required field");
    L.type = s_.type.value;
    L.loc = {s_.at.line, s_.at.column};
    c_.check_section(layer_table(), &s_, path_, s_.at, &s_, false);

    if (L.is_compute() && in_.encoding == Encoding::Accumulator)
        fail(path_, s_.at, "input is a raw 32-bit accumulator; give layer '" + in_.acc_source + "' an activation");
    L.in = in_.shape;
    L.in_encoding = in_.encoding;
    L.in_bits = in_.bits;
    L.folding = {s_.folding.pe.value, s_.folding.simd.value, s_.folding.mmv.value};

    geometry(L);
    if (L.is_compute()) {
        output_channels(L);
        quantisation(L);
        rule(check_folding(L));
        rule(check_accumulator(L));
        if (L.datapath == Datapath::Rccm && L.activation.type == ActivationType::None) {
            // lambda x accumulator leaves the layer raw and must fit 32 bits for every 8-bit lambda.
            const i128 max = sat_mul(sat_mul(sat_mul(L.fan_in(), L.max_abs_weight()), L.max_abs_input()), 255);
            if (max >= (i128(1) << 31))
                fail(path_, s_.at,
                     "layer '" + L.name + "': with activation 'none' the scaled accumulator lambda x acc leaves the "
                     "layer as a 32-bit value, but fan_in " + int_text(L.fan_in()) + " * max|coefficient| " +
                         int_text(L.max_abs_weight()) + " * max|input| " + int_text(L.max_abs_input()) +
                         " * max lambda 255 = " + grouped_text(max) + " does not fit; give the layer an activation");
        }
    } else if (L.is_join()) {
        if (L.type == LayerType::Add)
            sum_inputs(L);
        else
            concat_inputs(L);
        if (!s_.folding.simd.given) L.folding.simd = L.out.channels;
        rule(check_folding(L));
    } else if (L.type == LayerType::TopK) {
        label_select(L);
        rule(check_folding(L));
    } else {
        // Pooling: channels pass through, and so does the encoding.
        if (L.is_global_pool()) L.out = FmShape{1, 1, L.in.channels};
        L.out.channels = L.in.channels;
        L.out_encoding = L.in_encoding;
        L.out_bits = L.in_bits;
        if (L.type == LayerType::GlobalAvgPool || L.type == LayerType::AvgPool) sum_positions(L);
        if (!s_.folding.simd.given) L.folding.simd = L.in.channels;
        rule(check_folding(L));
    }

    // PE reuse (ch. 4.5.1): conv layers only; a reuse from defaults.reuse is reported at the
    // PEs it does not divide.
    if (s_.reuse.given) {
        L.reuse = s_.reuse.value;
        rule(check_reuse(L));
    } else if (spec.defaults.reuse.value > 1 && L.type == LayerType::Conv) {
        L.reuse = spec.defaults.reuse.value;
        if (auto v = check_reuse(L)) fail(F("folding.pe"), at(s_.folding.pe), v->message + "; the reuse comes from defaults.reuse");
    }
    if (L.is_depthwise() && L.reuse != 1)
        fail(F("reuse"), at(s_.reuse),
             "a depthwise layer's vector-vector unit has one PE per channel group; PE reuse is for the "
             "matrix-vector unit (got reuse " + std::to_string(L.reuse) + ")");
    if (L.is_compute()) {
        if (L.scaling_factors() > 0 && L.reuse != 1)
            fail(F("scaling"), s_.scaling.at,
                 "row- and pixel-wise SYQ scaling cannot be combined with PE reuse (reuse " + std::to_string(L.reuse) + ")");
        if (s_.decompressor.given) {
            const Origin d = s_.decompressor.at;
            const std::string dp = path_ + ".decompressor";
            if (L.weights.quant != WeightQuant::Ternary)
                fail(dp, d,
                     std::string("needs ternary weights: the encodings store the nonzero +-1 weights (this layer's are ") +
                         to_string(L.weights.quant) + ")");
            if (L.groups != 1) fail(dp, d, "needs groups = 1 (got " + std::to_string(L.groups) + ")");
            if (L.reuse != 1) fail(dp, d, "cannot be combined with PE reuse (reuse " + std::to_string(L.reuse) + ")");
            if (L.scaling_factors() > 0) fail(dp, d, "cannot be combined with row- or pixel-wise SYQ scaling");
            L.decompressor.enabled = true;
            L.decompressor.encoding = s_.decompressor.encoding.value;
            L.decompressor.delta_bits = s_.decompressor.delta_bits.value;
            L.decompressor.batch = L.type == LayerType::Fc ? s_.decompressor.batch.value : 1;
            // What the analytical timing and the memories assume: the generator's density, or
            // dense (an upper bound) for a weight file.
            const WeightSourceSpec& ws = spec.weights;
            L.decompressor.expected_density = ws.file.given ? 1.0 : 1.0 - ws.generator.sparsity.value;
        }
    }
    buffers(L);
    if (auto p = layer_count_problem(L)) fail(path_, s_.at, *p);
}

std::string shape_text(const FmShape& s) {
    return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.channels);
}

// The fewest bits (and the encoding) that hold every value in lo..hi: unsigned when lo >= 0.
void fit_range(int64_t lo, int64_t hi, LayerConfig& L) {
    L.out_encoding = lo >= 0 ? Encoding::Unsigned : Encoding::Signed;
    L.out_bits = range_bits(lo, hi);
}

// global_avgpool: the sum of every position's value per channel; avgpool: of every K x K
// window's (the 1/n of the average is left to the next layer's thresholds), in the fewest
// bits that hold it.
void LayerDeriver::sum_positions(LayerConfig& L) {
    if (L.in_encoding == Encoding::Accumulator)
        fail(path_, s_.at, "input is a raw 32-bit accumulator; give layer '" + in_.acc_source + "' an activation");
    if (L.type == LayerType::AvgPool && (L.pad_begin != 0 || L.pad_end != 0))
        fail(F("padding"), at(s_.padding),
             "an avgpool layer sums its windows, so padded positions would count in the sum: padding must be 0 "
             "(valid)");
    const auto r = value_range(L.in_encoding, L.in_bits);
    const int64_t n = L.type == LayerType::AvgPool ? int64_t(L.window_area()) : int64_t(L.in.height) * L.in.width;
    const i128 lo = i128(r.first) * n, hi = i128(r.second) * n;
    if (lo < INT32_MIN || hi > INT32_MAX)
        fail(path_, s_.at,
             "the sum of " + std::to_string(n) + " positions of " + std::to_string(L.in_bits) +
                 "-bit codes does not fit 32 bits");
    fit_range(int64_t(lo), int64_t(hi), L);
}

// topk: the indices of the k largest of a 1 x 1 x C vector (raw accumulators too), as unsigned
// codes of the fewest bits that hold C - 1.
void LayerDeriver::label_select(LayerConfig& L) {
    if (L.in.height != 1 || L.in.width != 1)
        fail(path_, s_.at,
             "a topk layer selects from a 1 x 1 x C vector (the output of an fc layer or a global pool); its "
             "input is " + std::to_string(L.in.height) + " x " + std::to_string(L.in.width) + " x " +
                 std::to_string(L.in.channels));
    L.top_k = s_.k.value;
    if (L.top_k > L.in.channels)
        fail(F("k"), s_.k.at,
             "must be at most the " + std::to_string(L.in.channels) + " labels of the input (got " +
                 std::to_string(L.top_k) + ")");
    L.out = FmShape{1, 1, L.top_k};
    L.out_encoding = Encoding::Unsigned;
    L.out_bits = range_bits(0, L.in.channels - 1);
}

// add: two streams of one shape, summed value by value; the sum leaves in the fewest bits that
// hold every sum (unsigned when both inputs are).
// What follows the accumulator of a compute layer, or the sum of an add layer: the output code.
void LayerDeriver::activation(LayerConfig& L) {
    const ActivationSpec& as = s_.activation;
    need(as, "activation", s_.at);
    need(as.type, "activation.type", as.at);
    ActivationConfig& a = L.activation;
    a.type = as.type.value;
    auto bits_in = [&](int lo, int hi, int def) {
        if (!as.bits.given) return def;
        if (auto p = Range::between(lo, hi).check(int64_t(as.bits.value))) fail(F("activation.bits"), as.bits.at, *p);
        return as.bits.value;
    };
    switch (a.type) {
        case ActivationType::Thresholds:
            a.bits = bits_in(1, 8, 2);
            L.out_encoding = Encoding::Unsigned;
            break;
        case ActivationType::Bipolar:
            if (as.bits.given && as.bits.value != 1)
                fail(F("activation.bits"), as.bits.at, "must be 1 for a bipolar activation (got " + std::to_string(as.bits.value) + ")");
            a.bits = 1;
            L.out_encoding = Encoding::Bipolar;
            break;
        case ActivationType::Relu:
            a.bits = bits_in(1, 16, 8);
            L.out_encoding = Encoding::Unsigned;
            break;
        case ActivationType::None:
            a.bits = 32;
            L.out_encoding = Encoding::Accumulator;
            break;
    }
    L.out_bits = a.bits;
}

void LayerDeriver::sum_inputs(LayerConfig& L) {
    const LayerInput& a = ins_.at(0);
    const LayerInput& b = ins_.at(1);
    if (!(a.shape == b.shape))
        fail(F("inputs"), at(s_.inputs),
             "an add layer sums two streams of one shape; '" + s_.inputs.value.at(0) + "' delivers " +
                 shape_text(a.shape) + ", '" + s_.inputs.value.at(1) + "' " + shape_text(b.shape));
    join_inputs(L);
    const auto ra = value_range(a.encoding, a.bits), rb = value_range(b.encoding, b.bits);
    fit_range(ra.first + rb.first, ra.second + rb.second, L);
    L.out = L.in;
    // A threshold unit (FINN's MultiThreshold after AddStreams) or an integer requantisation
    // (relu) after the adder; without one the sum leaves at its full width.
    L.activation.type = ActivationType::None;
    if (!s_.activation.given) return;
    const ActivationSpec& as = s_.activation;
    if (as.type.given && as.type.value == ActivationType::None)
        fail(F("activation.type"), as.type.at,
             "an add layer's activation requantises the sum (thresholds, bipolar or relu); leave activation out to "
             "keep the full sum");
    activation(L);
}

void LayerDeriver::join_inputs(LayerConfig& L) {
    const LayerInput& b = ins_.at(1);
    for (size_t k = 0; k < ins_.size(); ++k)
        if (ins_[k].encoding == Encoding::Accumulator)
            fail(F("inputs"), at(s_.inputs),
                 "'" + s_.inputs.value.at(k) + "' delivers raw 32-bit accumulators; give layer '" + ins_[k].acc_source +
                     "' an activation");
    L.in2_encoding = b.encoding;
    L.in2_bits = b.bits;
    L.in2_channels = b.shape.channels;
}

// concat: at every pixel the channels of each input in turn. Codes of one encoding pass as they
// are (in the widest width); of several encodings, as signed values.
void LayerDeriver::concat_inputs(LayerConfig& L) {
    const LayerInput& a = ins_.at(0);
    int64_t channels = 0;
    bool one_encoding = true;
    int64_t lo = 0, hi = 0;
    int bits = 1;
    L.concat_inputs.clear();
    for (size_t k = 0; k < ins_.size(); ++k) {
        const LayerInput& x = ins_[k];
        if (x.shape.height != a.shape.height || x.shape.width != a.shape.width)
            fail(F("inputs"), at(s_.inputs),
                 "a concat layer joins streams of one height and width; '" + s_.inputs.value.at(0) + "' delivers " +
                     shape_text(a.shape) + ", '" + s_.inputs.value.at(k) + "' " + shape_text(x.shape));
        channels += x.shape.channels;
        one_encoding = one_encoding && x.encoding == a.encoding;
        bits = std::max(bits, x.bits);
        if (x.encoding != Encoding::Accumulator) {
            const auto r = value_range(x.encoding, x.bits);
            lo = k == 0 ? r.first : std::min(lo, r.first);
            hi = k == 0 ? r.second : std::max(hi, r.second);
        }
        L.concat_inputs.push_back({x.shape.channels, x.encoding, x.bits});
    }
    join_inputs(L);
    check_fm_size("output feature map", a.shape.height, a.shape.width, channels);
    L.out = FmShape{a.shape.height, a.shape.width, int(channels)};
    if (one_encoding) {
        L.out_encoding = a.encoding;
        L.out_bits = bits;
        return;
    }
    // Two encodings always include a negative value (signed, or bipolar -1), so this is signed.
    fit_range(lo, hi, L);
}

void LayerDeriver::geometry(LayerConfig& L) {
    if (!L.uses_swu()) return;
    need(s_.kernel, "kernel", s_.at);
    L.kernel = s_.kernel.value;
    L.stride = s_.stride.given ? s_.stride.value : (L.is_window_pool() ? L.kernel : 1);
    if (L.type == LayerType::Conv) L.groups = s_.groups.value;
    if (s_.kernel_width.given) {
        const int kw = s_.kernel_width.value;
        if (kw != 1 && kw != L.kernel)
            fail(F("kernel_width"), s_.kernel_width.at,
                 "must be the kernel (" + std::to_string(L.kernel) +
                     ": a square window) or 1 (a 1-D layer: K x 1 windows on an H x 1 map) (got " +
                     std::to_string(kw) + ")");
        if (kw == 1 && L.in.width != 1 && L.kernel != 1)
            fail(F("kernel_width"), s_.kernel_width.at,
                 "1 makes a 1-D layer, whose input map must be H x 1; this layer's input is " +
                     std::to_string(L.in.height) + " x " + std::to_string(L.in.width) + " x " +
                     std::to_string(L.in.channels));
        L.one_d = kw == 1 && L.in.width == 1;
    }
    const Padding& pad = s_.padding.value;
    if (pad.mode == Padding::Mode::Same) {
        const auto ph = same_padding(L.in.height, L.kernel, L.stride);
        const auto pw = same_padding(L.in.width, L.kernel, L.stride);
        if (ph != pw && !L.one_d)
            fail(F("padding"), s_.padding.at,
                 "'same' needs [" + std::to_string(ph.first) + ", " + std::to_string(ph.second) +
                     "] along the height but [" + std::to_string(pw.first) + ", " + std::to_string(pw.second) +
                     "] along the width; give the padding explicitly");
        if (ph.first > INT_MAX || ph.second > INT_MAX) fail(F("padding"), s_.padding.at, "'same' padding is too large");
        L.pad_begin = int(ph.first);
        L.pad_end = int(ph.second);
    } else {
        L.pad_begin = pad.begin;
        L.pad_end = pad.end;
    }
    if (L.type == LayerType::Conv && L.in.channels % L.groups != 0)
        fail(F("groups"), s_.groups.at,
             "must divide in_channels = " + std::to_string(L.in.channels) + " (got " + std::to_string(L.groups) + ")");
    // A 1-D layer slides, pads and strides along the height only.
    const int64_t padded_h = int64_t(L.in.height) + L.pad_begin + L.pad_end;
    const int64_t padded_w = int64_t(L.in.width) + L.col_pad_begin() + L.col_pad_end();
    if (L.kernel > padded_h)
        fail(F("kernel"), s_.kernel.at,
             "must be <= padded input height = " + std::to_string(padded_h) + " (got " + std::to_string(L.kernel) + ")");
    if (L.kernel_cols() > padded_w)
        fail(F("kernel"), s_.kernel.at,
             "must be <= padded input width = " + std::to_string(padded_w) + " (got " + std::to_string(L.kernel) +
                 "; `kernel_width: 1` makes a K x 1 window for an H x 1 map)");
    const int64_t oh = (padded_h - L.kernel) / L.stride + 1;
    const int64_t ow = (padded_w - L.kernel_cols()) / L.col_stride() + 1;
    check_fm_size("output feature map", oh, ow, L.in.channels);
    L.out.height = int(oh);
    L.out.width = int(ow);
}

void LayerDeriver::output_channels(LayerConfig& L) {
    need(s_.filters, "filters", s_.at);
    L.filters = s_.filters.value;
    L.prune = s_.prune.value;
    L.grow_to_pe = s_.grow_to_pe.value;
    if (s_.prune_round.given && L.prune == 0.0)
        fail(F("prune_round"), s_.prune_round.at, "only applies with prune > 0 (prune is 0 here)");
    L.prune_round = s_.prune_round.value;
    if (L.grow_to_pe && L.prune > 0.0)
        fail(F("grow_to_pe"), s_.grow_to_pe.at,
             "applies to unpruned layers (prune = 0); a pruned layer is rounded to a PE multiple by prune_round");
    const int g = L.groups;
    int64_t n_out = L.filters;
    if (L.prune == 0.0 && !L.grow_to_pe) {
        if (n_out % g != 0)
            fail(F("filters"), s_.filters.at,
                 "must be a multiple of groups = " + std::to_string(g) + " (got " + std::to_string(n_out) + ")");
    } else {
        // Keep (N / groups) % PE == 0 (ch. 4.5.2): round the kept count per group to a PE
        // multiple (pruning), or grow an unpruned layer's filters up to one.
        n_out = derive_output_channels(L, L.folding.pe);
        if (n_out > INT_MAX)
            fail(F("filters"), s_.filters.at, "pruned channel count " + std::to_string(n_out) + " does not fit in 32 bits");
        if (n_out > L.filters && !L.grow_to_pe)
            fail(F("prune"), s_.prune.at,
                 "keeping " + number_text(double(L.filters) * (1.0 - L.prune)) + " of " + std::to_string(L.filters) +
                     " filters rounds up to " + std::to_string(n_out) + " (a multiple of groups x PE = " +
                     std::to_string(g * L.folding.pe) + "), more than the layer has; choose a smaller PE or prune_round: down");
    }
    if (L.type == LayerType::Fc) {
        L.out = FmShape{1, 1, int(n_out)};
    } else {
        L.out.channels = int(n_out);
        check_fm_size("output feature map", L.out.height, L.out.width, L.out.channels);
    }
}

void LayerDeriver::quantisation(LayerConfig& L) {
    // Weights.
    const WeightsSpec& ws = s_.weights;
    need(ws, "weights", s_.at);
    need(ws.quant, "weights.quant", ws.at);
    WeightQuantConfig& w = L.weights;
    w.quant = ws.quant.value;
    auto fixed_bits = [&](int bits, const std::string& what) {
        if (ws.bits.given && ws.bits.value != bits)
            fail(F("weights.bits"), ws.bits.at,
                 "must be " + std::to_string(bits) + " for " + what + " (got " + std::to_string(ws.bits.value) +
                     "); weights of 2 to 8 bits take weights.quant: uniform");
        w.bits = bits;
    };
    switch (w.quant) {
        case WeightQuant::Binary: fixed_bits(1, "binary weights"); break;
        case WeightQuant::Ternary:
            fixed_bits(2, "ternary weights");
            w.threshold = ws.threshold.value;
            break;
        case WeightQuant::Uniform:
            if (!ws.bits.given) fail(F("weights.bits"), ws.at, "missing required field");
            if (auto p = Range::between(2, 8).check(int64_t(ws.bits.value))) fail(F("weights.bits"), ws.bits.at, *p);
            w.bits = ws.bits.value;
            w.scale = ws.scale.given ? ws.scale.value : std::ldexp(1.0, -(w.bits - 1));
            break;
        case WeightQuant::Rccm:
            // ch. 6.4.3: the select indices of the 2-Add, 3-Add and 4-Add circuits (4, 6, 8 bits).
            if (!ws.rccm.given) fail(F("weights.rccm"), ws.at, "missing required field");
            w.rccm = ws.rccm.value;
            fixed_bits(rccm_select_bits(w.rccm), std::string(rccm_name(w.rccm)) + " select indices");
            w.scale = ws.scale.given ? ws.scale.value : 0.0;  // 0: from the imported weights' range
            break;
    }

    activation(L);

    // The datapath the operand types call for (ch. 4.6.2; RCCM select indices, ch. 6.6.2).
    L.datapath = derive_datapath(w.quant, L.in_encoding);
    if (s_.datapath.given && s_.datapath.value != L.datapath)
        fail(F("datapath"), s_.datapath.at,
             std::string("must be '") + to_string(L.datapath) + "' for " + to_string(w.quant) + " weights with " +
                 to_string(L.in_encoding) + " input (got '" + to_string(s_.datapath.value) + "')");
    resolve_multipliers(L, s_.multipliers.value);
    L.ram_style = ram_styles(s_.ram_style);
    L.threshold_storage = s_.threshold_storage.value;
    if (s_.threshold_storage.given && L.thresholds_per_channel() == 0)
        fail(F("threshold_storage"), s_.threshold_storage.at,
             std::string("only applies to thresholds and bipolar activations (this layer's is '") + to_string(L.activation.type) +
                 "')");
    // RCCM layers apply their scale lambda after the fan-in, before the activation.
    const bool rccm = L.datapath == Datapath::Rccm;
    L.activation_unit = s_.activation_unit.given ? s_.activation_unit.value
                        : rccm                   ? ActivationUnit::AfterFanIn
                                                 : ActivationUnit::PerPe;
    if (rccm && L.activation_unit != ActivationUnit::AfterFanIn)
        fail(F("activation_unit"), s_.activation_unit.at,
             "must be 'after_fan_in' for rccm weights: the scale lambda follows the fan-in of the PE outputs and "
             "precedes the activation (ch. 6.6.2)");

    // SYQ scaling (ch. 5.4, 5.7.2), conv only.
    if (s_.scaling.given) {
        L.scaling = {s_.scaling.granularity.value, s_.scaling.bits.value};
        if (L.scaling.granularity != ScalingGranularity::Layer) {
            const Origin g = Checker::where(s_.scaling.granularity, s_.scaling.at);
            if (w.quant != WeightQuant::Binary && w.quant != WeightQuant::Ternary)
                fail(F("scaling.granularity"), g,
                     std::string("row- and pixel-wise SYQ scaling applies to binary and ternary weights (this layer's "
                                 "are ") + to_string(w.quant) + ")");
            if (L.groups != 1)
                fail(F("scaling.granularity"), g,
                     "row- and pixel-wise SYQ scaling needs groups = 1 (got " + std::to_string(L.groups) + ")");
        }
    }
}

void LayerDeriver::buffers(LayerConfig& L) {
    L.fifo_depth = s_.fifo_depth.given ? s_.fifo_depth.value : c_.spec().defaults.fifo_depth.value;
    if (L.uses_swu()) {
        // With reuse the SWU keeps the whole input frame for the passes.
        const int64_t def_rows = L.reuse > 1 ? int64_t(L.in.height) : int64_t(L.kernel) + L.stride;
        L.swu_write_pixels = s_.swu_write_pixels.value;
        if (s_.swu_buffer_rows.given) {
            const int rows = s_.swu_buffer_rows.value;
            const char* f = "swu_buffer_rows";
            if (rows < L.kernel)
                fail(F(f), s_.swu_buffer_rows.at,
                     "must be >= kernel = " + std::to_string(L.kernel) + " (got " + std::to_string(rows) + ")");
            if (L.reuse > 1 && rows < L.in.height)
                fail(F(f), s_.swu_buffer_rows.at,
                     "must be >= the input height " + std::to_string(L.in.height) + " with reuse " +
                         std::to_string(L.reuse) + ": every pass reads the whole input frame (got " +
                         std::to_string(rows) + ")");
            L.swu_buffer_rows = rows;
        } else {
            if (def_rows > INT_MAX) fail(F("kernel"), s_.kernel.at, "kernel + stride does not fit in 32 bits");
            L.swu_buffer_rows = int(def_rows);
        }
    }
    if (s_.in_channels.given) {
        const int given = s_.in_channels.value;
        const std::string source = in_.from_input ? "the input" : "the previous layer";
        if (L.type == LayerType::Fc) {
            if (int64_t(given) != L.in.elements())
                fail(F("in_channels"), s_.in_channels.at,
                     "must equal the flattened input size " + std::to_string(L.in.height) + " x " +
                         std::to_string(L.in.width) + " x " + std::to_string(L.in.channels) + " = " +
                         std::to_string(L.in.elements()) + " derived from " + source + " (got " + std::to_string(given) + ")");
        } else if (given != L.in.channels) {
            fail(F("in_channels"), s_.in_channels.at,
                 "must equal the channel count " + std::to_string(L.in.channels) + " derived from " + source + " (got " +
                     std::to_string(given) + ")");
        }
    }
}

}  // namespace

std::optional<Violation> derive_layer(const NetworkSpec& spec, size_t index, const std::vector<LayerInput>& ins,
                                      LayerConfig& out) {
    std::vector<Violation> v;
    Checker c(spec, v);
    out = LayerConfig{};
    try {
        LayerDeriver(c, spec.layers[index], index, ins).run(out);
    } catch (const Stop&) {
        return v.front();
    }
    return std::nullopt;
}

std::optional<Violation> derive_layer(const NetworkSpec& spec, size_t index, const LayerInput& in, LayerConfig& out) {
    return derive_layer(spec, index, std::vector<LayerInput>{in}, out);
}

}  // namespace qsim::design
