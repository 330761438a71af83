// One table per configuration section: every field's name, type, range, default and one-line
// meaning, and where its value lives in the specification (spec.hpp). The tables drive
//   - the front end's key checks ("unknown field 'x'; expected one of: ...") and value types,
//   - the range checks of derive_design() (other limits are the rules in derive*.cpp),
//   - the effective configuration in the JSON report (effective_config.hpp),
//   - overrides of single fields (`--point`, sweep axes: overrides.hpp), and
//   - the reference tables of docs/config.md (config_doc.hpp; a test keeps the doc current).
// Adding a field is a row here, a member in spec.hpp and its rule in derive*.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/design/spec.hpp"

namespace qsim::design {

enum class ValueKind {
    Integer,    // signed, fits 32 bits
    Integer64,  // signed, fits 64 bits (device library resource counts)
    Unsigned,   // 0 .. 2^64-1 (seeds, cycle counts)
    Number,     // a finite decimal number
    Boolean,    // true or false
    Text,       // any scalar
    Choice,     // one of an enum's names (models/common/enum_text.hpp)
    Padding,    // an integer >= 0, [before, after], same or valid
    List,       // a scalar or a sequence of scalars ([a, b]); the rules read the items
    Mapping,    // a section with a table of its own
    Sequence,   // a list of sections (layers)
    Params,     // params: names to scalars, substituted by the front end
};

// A static range, checked for every given value (contextual limits are rules).
struct Range {
    enum class Kind { None, Integer, Positive, NonNegative, UnitInterval } kind = Kind::None;
    int64_t lo = 0, hi = 0;  // Integer: lo..hi (INT_MAX/INT64_MAX: no upper bound)

    static Range none() { return {}; }
    static Range at_least(int64_t lo);
    static Range between(int64_t lo, int64_t hi);
    static Range positive() { return {Kind::Positive}; }        // > 0
    static Range non_negative() { return {Kind::NonNegative}; }  // >= 0
    static Range unit() { return {Kind::UnitInterval}; }         // [0, 1)

    std::string text() const;  // ">= 1", "1..16", "> 0", ">= 0", "[0, 1)", "" for none
    // "must be ... (got v)" when v is outside, else nothing.
    std::optional<std::string> check(int64_t v) const;
    std::optional<std::string> check(double v) const;
};

// The layer types a layer field belongs to.
enum : unsigned { kConv = 1, kFc = 2, kMaxPool = 4, kGlobalMaxPool = 8, kAdd = 16, kConcat = 32, kGlobalAvgPool = 64,
                  kAvgPool = 128, kTopK = 256, kCompute = kConv | kFc, kSwu = kConv | kMaxPool | kAvgPool, kAllLayerTypes = 511 };
unsigned layer_type_bit(LayerType t);

struct Table;

// Why a given field does not apply here ("not allowed for type 'fc'"), or nothing. `owner` is
// the section holding the field, `layer` the layer it belongs to (null outside layers).
using WhyNot = std::function<std::optional<std::string>(const void* owner, const LayerSpec* layer)>;

// One field of a section. The owner is the section's spec struct, passed as void* by the
// generic walkers; the builders in fields.cpp make the accessors type-safe.
struct Row {
    std::string key;
    ValueKind kind = ValueKind::Text;
    Range range;
    bool required = false;      // wherever it applies
    std::string default_text;   // docs; "" = the default value of a default-constructed section
    std::string meaning;
    unsigned types = kAllLayerTypes;  // layer rows: the layer types that accept the field
    WhyNot why_not;                   // other conditions under which the field is not allowed
    const Table* sub = nullptr;       // Mapping / Sequence rows

    // The GivenBase of a value row, or the SectionSpec of a Mapping row, inside an owner;
    // Mapping rows also give the sub-section itself as the owner of their table's rows.
    std::function<GivenBase*(void* owner)> value;
    std::function<SectionSpec*(void* owner)> section;
    std::function<void*(void* owner)> sub_owner;
    // Choice rows: what the enum is ("layer type"), its names, conversion from/to text.
    std::string what;
    std::string choices;  // "a, b, c"
    std::function<bool(GivenBase* given, std::string_view text)> set_choice;
    std::function<const char*(const GivenBase* given)> choice_text;

    template <class T>
    Given<T>& get(void* owner) const { return *static_cast<Given<T>*>(value(owner)); }
    template <class T>
    const Given<T>& get(const void* owner) const {
        return *static_cast<const Given<T>*>(value(const_cast<void*>(owner)));
    }
    bool is_given(const void* owner) const;
    Origin origin(const void* owner) const;
    // The reason the field may not be given in `owner` of `layer`, or nothing.
    std::optional<std::string> not_allowed(const void* owner, const LayerSpec* layer) const;
    // The value as configuration text ("3", "0.25", "true", "same", "[1, 2]", "binary").
    std::string value_text(const void* owner) const;
    // Docs: "integer", "number", "`a`, `b`", ...
    std::string type_text() const;
};

struct Table {
    std::string name;           // "input", "layers[]", "layers[].weights", ...
    std::string title;          // one line for docs
    std::string discriminator;  // a key the front end reads first (its value decides the others)
    std::vector<Row> rows;
    // A default-constructed section of this table (where the defaults in docs come from).
    std::function<std::shared_ptr<void>()> fresh;
    // A section that may also be written as one scalar, which every row takes (`ram_style:
    // block` for `ram_style: {weights: block, thresholds: block, ...}`); its rows are Choices.
    bool scalar_sets_all = false;
    const Row* find(std::string_view key) const;
    // "a, b, c": the keys a section `owner` of `layer` accepts (all when owner is null).
    std::string keys(const void* owner = nullptr, const LayerSpec* layer = nullptr) const;
};

// The tables of the configuration (docs/config.md lists them in this order).
const Table& network_table();     // the top level; its rows lead to every other table
const Table& device_table();
const Table& input_table();
const Table& weight_source_table();
const Table& generator_table();
const Table& run_table();
const Table& defaults_table();
const Table& resources_table();
const Table& power_table();
const Table& output_table();
const Table& host_table();
const Table& pcie_table();
const Table& dma_table();
const Table& loopback_table();
const Table& layer_table();
const Table& layer_weights_table();
const Table& layer_activation_table();
const Table& layer_folding_table();
const Table& layer_decompressor_table();
const Table& layer_scaling_table();
const Table& layer_ram_style_table();
const Table& resources_ram_style_table();
const Table& device_entry_table();  // one entry of a device library
std::vector<const Table*> all_tables();

// Parses `text` as the row's kind into the row's value inside `owner`, marking it given at `at`.
// Returns the problem ("expected an integer, got 'x'") or nothing; `shown` is how the value is
// quoted in it ("'x'", or "'x' (from '${P}')"). Padding takes "p", "same", "valid" or
// "[before, after]"; the front end parses a YAML sequence element by element with
// parse_padding_element. Ranges are not checked here (derive_design does).
std::optional<std::string> parse_value(const Row& row, void* owner, const std::string& text, Origin at,
                                       const std::string& shown);
// One element (0: before, 1: after) of a [before, after] padding: an integer >= 0.
std::optional<std::string> parse_padding_element(Padding& p, int element, const std::string& text,
                                                 const std::string& shown);

// The integer forms the value types accept: optional sign and decimal digits only.
bool is_integer_text(const std::string& t, bool allow_minus);
// A finite decimal number as Number fields take it (list items too): the problem ("expected a
// number, got 'x'", `shown` quoting the value) or nothing, with the value in `out`.
std::optional<std::string> parse_number(const std::string& t, const std::string& shown, double& out);

}  // namespace qsim::design
