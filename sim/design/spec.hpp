// The specification: a design as a configuration states it, before anything is derived. Every
// value keeps where it came from (file, line and column, or the override that set it) and
// whether it was given at all; a value not given holds its default. A front end (the YAML
// reader, yaml_front_end.hpp) fills it; overrides (`--point`, sweep axes, fold) change fields
// of it (overrides.hpp); derive_design() (derive.hpp) turns it into the design or the list of
// rules it breaks. Nothing here checks a range or a rule: a specification may be invalid.
//
// The fields of each section, with their types, ranges, defaults and meanings, are listed
// once, in the section's table (fields.hpp); the structs below are where the values live.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/network/network_config.hpp"

namespace qsim::design {

// Where a value came from: a position in a file, or an override (`--point conv1.reuse=2`).
// `source` indexes NetworkSpec::sources, so an Origin is four integers and copying a
// specification (a sweep copies one per point) copies no text.
struct Origin {
    int source = -1;  // -1: nowhere (a default)
    int line = 0;     // 1-based; 0 when the source is not a file position
    int column = 0;
    bool known() const { return source >= 0; }
};

// Whether a value was given, and where (the part of Given<T> that does not depend on T).
struct GivenBase {
    bool given = false;
    Origin at;
};

// A value of the specification. `given` is false for a default.
template <class T>
struct Given : GivenBase {
    T value{};

    Given() = default;
    Given(T v) : value(std::move(v)) {}  // NOLINT: a default value
    void set(T v, Origin o) {
        value = std::move(v);
        given = true;
        at = o;
    }
};

// A mapping of the specification: whether it was written and where.
struct SectionSpec : GivenBase {};

// `padding`: an integer p (p before and after), [before, after], `same` or `valid` (0).
struct Padding {
    enum class Mode { Explicit, Same } mode = Mode::Explicit;
    int begin = 0;
    int end = 0;
    bool operator==(const Padding& o) const { return mode == o.mode && begin == o.begin && end == o.end; }
};

// A list field (`inputs: [a, b]`): its items as written; the rules read them.
using ListValue = std::vector<std::string>;

// ----------------------------------------------------------------------------------------
// Top-level sections.

struct DeviceSpec : SectionSpec {
    Given<std::string> name{"generic"};
    Given<double> clock_mhz{200.0};
    Given<std::string> library{"devices.yaml"};  // resolved against the config's directory
};

// One entry of a device library (devices.yaml), read by the front end.
struct DeviceEntrySpec : SectionSpec {
    std::string name;
    Origin name_at;  // its key in the library
    Given<std::string> family;
    Given<int64_t> lut, ff, bram18, bram36, dsp;
    Given<int64_t> lutram, uram;  // optional: SLICEM LUTs, URAM288 blocks
};

// A broken rule or range: the field (a dotted path: "layers[2].folding.pe"), where the value
// came from and what is wrong ("must divide out_channels/groups = 8 (got 3)").
struct Violation {
    std::string field;
    Origin at;
    std::string message;
};

// The device library beside a configuration (devices.yaml, or device.library), as read by the
// front end. It is read whenever it exists; whether it is needed is derive_design's to say.
struct DeviceLibrarySpec {
    std::string path;      // the resolved path, as messages print it
    std::string problem;   // why it could not be read ("" when it was)
    std::vector<Violation> errors;  // malformed YAML or structure inside it
    SectionSpec devices_at;         // its `devices` mapping
    std::vector<DeviceEntrySpec> devices;
};

struct InputSpec : SectionSpec {
    Given<int> height, width, channels;
    Given<int> bits{8};
    Given<bool> is_signed{false};
    Given<int> stream_bits{24};
    Given<uint64_t> seed{1};
    Given<int> fifo_depth{2};
};

struct GeneratorSpec : SectionSpec {
    Given<uint64_t> seed{1};
    Given<double> sparsity{0.0};
};

struct WeightSourceSpec : SectionSpec {
    GeneratorSpec generator;
    Given<std::string> file;  // as written; resolved against the config's directory
};

struct RunSpec : SectionSpec {
    Given<int> frames{2};
    Given<uint64_t> watchdog_cycles{0};
};

struct DefaultsSpec : SectionSpec {
    Given<int> fifo_depth{2};
    Given<int> reuse{1};
};

// The host's dequantisation of the last layer's outputs: a number, or one per output channel.
struct OutputSpec : SectionSpec {
    Given<ListValue> scale{ListValue{"1"}};
    Given<ListValue> offset{ListValue{"0"}};
};

// Where each kind of memory is built (`ram_style`: one style for all kinds, or a mapping).
struct RamStyleSpec : SectionSpec {
    Given<MemoryStyle> weights, thresholds, fifos, line_buffers, ofm_buffers;
    const Given<MemoryStyle>& of(MemoryKind k) const {
        switch (k) {
            case MemoryKind::Weights: return weights;
            case MemoryKind::Thresholds: return thresholds;
            case MemoryKind::Fifos: return fifos;
            case MemoryKind::LineBuffers: return line_buffers;
            case MemoryKind::OfmBuffers: break;
        }
        return ofm_buffers;
    }
    Given<MemoryStyle>& of(MemoryKind k) { return const_cast<Given<MemoryStyle>&>(std::as_const(*this).of(k)); }
};

struct ResourcesSpec : SectionSpec {
    Given<ResourceFlow> flow{ResourceFlow::Implementation};
    Given<BramPorts> bram_ports{BramPorts::SimpleDual};
    RamStyleSpec ram_style;  // the default of every layer, and the style of the input FIFO
};

// The power estimate's operating conditions and board (docs/power.md).
struct PowerSpec : SectionSpec {
    Given<double> junction_c{50.0};
    Given<int> ddr_channels{0};
    Given<double> board_w{0.0};
};

struct PcieSpec : SectionSpec {
    Given<int> generation{3}, lanes{8}, max_payload_bytes{256}, tlp_overhead_bytes{24};
    Given<double> latency_ns{500.0}, transfer_overhead_ns{1000.0};
};

struct DmaSpec : SectionSpec {
    Given<int> stream_bits{256};
    Given<double> clock_mhz{250.0};
};

struct LoopbackSpec : SectionSpec {
    Given<int> pes{2048}, simd{4};
    Given<double> clock_mhz{250.0};
};

struct HostSpec : SectionSpec {
    Given<HostArchitecture> architecture{HostArchitecture::Dataflow};
    Given<TimingMode> timing{TimingMode::LooselyTimed};
    PcieSpec pcie;
    DmaSpec dma;
    Given<double> quantum_ns{1000.0}, host_gops{100.0};
    LoopbackSpec loopback;
};

// ----------------------------------------------------------------------------------------
// Layers.

struct WeightsSpec : SectionSpec {
    Given<WeightQuant> quant{WeightQuant::Binary};
    Given<int> bits;
    Given<double> threshold{0.05};
    Given<double> scale;
    Given<RccmKind> rccm{RccmKind::Add2};
};

struct ActivationSpec : SectionSpec {
    Given<ActivationType> type{ActivationType::Thresholds};
    Given<int> bits;
};

struct FoldingSpec : SectionSpec {
    Given<int> pe{1}, simd{1}, mmv{1};
};

struct DecompressorSpec : SectionSpec {
    Given<WeightEncoding> encoding{WeightEncoding::RunLength};
    Given<int> delta_bits{7};
    Given<int> batch{1};
};

struct ScalingSpec : SectionSpec {
    Given<ScalingGranularity> granularity{ScalingGranularity::Layer};
    Given<int> bits{8};
};

struct LayerSpec : SectionSpec {
    Given<std::string> name;
    Given<LayerType> type{LayerType::Conv};
    Given<ListValue> inputs;             // the layers it reads (default: the layer before)
    Given<ListValue> input_fifo_depths;  // rows of each input's branch FIFO after a fork
    Given<int> kernel{1}, stride{1};
    Given<int> kernel_width;  // 1: a 1-D layer (K x 1 windows on an H x 1 map)
    Given<Padding> padding;
    Given<int> groups{1};
    Given<int> k{1};  // topk
    Given<int> filters;
    Given<double> prune{0.0};
    Given<PruneRound> prune_round{PruneRound::Up};
    Given<bool> grow_to_pe{false};
    WeightsSpec weights;
    ActivationSpec activation;
    Given<Datapath> datapath{Datapath::AddSub};
    Given<Multipliers> multipliers{Multipliers::Auto};
    Given<ThresholdStorage> threshold_storage{ThresholdStorage::Memory};
    FoldingSpec folding;
    Given<int> reuse{1};
    Given<int> fifo_depth{2};
    Given<int> swu_buffer_rows;
    Given<int> swu_write_pixels{1};
    Given<int> in_channels;
    Given<ActivationUnit> activation_unit{ActivationUnit::PerPe};
    DecompressorSpec decompressor;
    ScalingSpec scaling;
    RamStyleSpec ram_style;  // not given: the kinds of resources.ram_style
};

// ----------------------------------------------------------------------------------------

struct NetworkSpec {
    // What Origin::source indexes: files ("configs/x.yaml", "configs/devices.yaml") and
    // overrides ("--point conv1.reuse=2"). The first is the configuration file.
    struct Source {
        std::string text;
        bool file = true;
    };
    std::vector<Source> sources;
    std::string file;      // the configuration file, as messages print it
    std::string base_dir;  // relative paths (weights.file, device.library) are resolved against it
    std::vector<std::string> params;  // the parameters the file declares, in order
    SectionSpec root;      // the whole document

    Given<std::string> name;
    DeviceSpec device;
    DeviceLibrarySpec device_library;
    InputSpec input;
    WeightSourceSpec weights;
    RunSpec run;
    DefaultsSpec defaults;
    HostSpec host;
    ResourcesSpec resources;
    PowerSpec power;
    OutputSpec output;
    SectionSpec layers_at;  // the `layers` sequence
    std::vector<LayerSpec> layers;

    // The index of a new source: a file, or an override described by `text`
    // ("--point conv1.reuse=2").
    int add_source(std::string text, bool file) {
        sources.push_back({std::move(text), file});
        return int(sources.size()) - 1;
    }
    // The error a violation is reported as: "FILE:LINE:COL: FIELD: MESSAGE", or for a value an
    // override set, "FILE: OVERRIDE: FIELD: MESSAGE".
    ConfigError error(const Violation& v) const;
};

}  // namespace qsim::design
