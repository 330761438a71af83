// YAML network-description loader. The file is walked by hand (never through
// YAML::Node::operator[] on a missing key, never through as<T>()) so that every problem can
// be reported with the line/column of the node involved and the dotted path of the field.
#include "sim/design/config_loader.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "models/accelerator/dataflow_timing.hpp"
#include "sim/design/folding_rules.hpp"

namespace qsim {

namespace {

using i128 = __int128;

constexpr int64_t kMaxFmElements = INT_MAX;  // every feature map must fit in 2^31-1 values

// ---------------------------------------------------------------------------------------
// Small helpers.

SourceLoc loc_of(const YAML::Mark& m) {
    if (m.is_null() || m.line < 0 || m.column < 0) return {};
    return {m.line + 1, m.column + 1};
}

SourceLoc loc_of(const YAML::Node& n) {
    if (!n.IsDefined()) return {};
    return loc_of(n.Mark());
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += sep;
        out += items[i];
    }
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string to_text(i128 v) {
    if (v == 0) return "0";
    bool neg = v < 0;
    std::string s;
    // |v| never exceeds what fits; values here are products of small positive numbers.
    while (v != 0) {
        int d = int(v % 10);
        s.push_back(char('0' + (d < 0 ? -d : d)));
        v /= 10;
    }
    if (neg) s.push_back('-');
    std::reverse(s.begin(), s.end());
    return s;
}

// a * b for non-negative a, b, saturated at kSat so that products of several 64-bit factors
// never overflow the 128-bit type.
constexpr i128 kSat = i128(1) << 100;
i128 sat_mul(i128 a, i128 b) {
    if (a == 0 || b == 0) return 0;
    if (a >= kSat || b >= kSat || a > kSat / b) return kSat;
    return a * b;
}
i128 ceil_div128(i128 a, i128 b) { return (a + b - 1) / b; }
// A non-negative long double as an integer, saturated at kSat (clock periods of absurdly slow
// clocks exceed every integer type).
i128 sat_int(long double v) { return v >= (long double)kSat ? kSat : v <= 0 ? 0 : i128(v); }
constexpr i128 kU64Max = ~uint64_t(0);

// Thousands separators for large counts: 18446744073709551615 -> 18,446,744,073,709,551,615.
std::string grouped(i128 v) {
    std::string t = v >= kSat ? "more than 2^100" : to_text(v);
    if (v >= kSat) return t;
    std::string out;
    int n = 0;
    for (size_t i = t.size(); i-- > 0;) {
        out.push_back(t[i]);
        if (++n % 3 == 0 && i > 0 && t[i - 1] != '-') out.push_back(',');
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string fmt_double(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

// How a node looks, for "expected X, got Y" messages.
std::string kind_of(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Null: return "nothing (null)";
        case YAML::NodeType::Scalar: return "the scalar '" + n.Scalar() + "'";
        case YAML::NodeType::Sequence: return "a sequence";
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Undefined: break;
    }
    return "nothing";
}

bool is_int_text(const std::string& t, bool allow_minus) {
    size_t i = 0;
    if (i < t.size() && (t[i] == '+' || (allow_minus && t[i] == '-'))) ++i;
    if (i == t.size()) return false;
    for (; i < t.size(); ++i)
        if (t[i] < '0' || t[i] > '9') return false;
    return true;
}

bool valid_param_name(const std::string& s) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char ch = s[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
                  (i > 0 && ch >= '0' && ch <= '9');
        if (!ok) return false;
    }
    return true;
}

bool valid_layer_name(const std::string& s) {
    if (s.empty()) return false;
    for (char ch : s) {
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '.' || ch == '-';
        if (!ok) return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------
// Context: file name for errors, parameters for ${NAME} substitution, typed scalar readers.

class Ctx {
public:
    std::string file;
    std::map<std::string, std::string> params;
    std::vector<std::string> param_names;  // in declaration order

    [[noreturn]] void fail(SourceLoc loc, const std::string& field, const std::string& msg) const {
        throw ConfigError(file, loc, field, msg);
    }
    [[noreturn]] void fail(const YAML::Node& n, const std::string& field,
                           const std::string& msg) const {
        fail(loc_for(n), field, msg);
    }

    // An empty value (`key:` with nothing after it) carries the position of whatever token
    // follows it, often on the next line; report such a value at its key instead.
    void remember_null_value(const YAML::Node& value, SourceLoc key_loc) const {
        null_values_.push_back({value, key_loc});
    }
    SourceLoc loc_for(const YAML::Node& n) const {
        if (n.IsDefined() && n.IsNull())
            for (const auto& [node, loc] : null_values_)
                if (node.is(n)) return loc;
        return loc_of(n);
    }

    std::string declared_list() const {
        if (param_names.empty()) return "no parameters are declared under 'params'";
        return "declared parameters: " + join(param_names);
    }

    // The scalar's text with every ${NAME} replaced. Fails if `n` is not a scalar.
    std::string scalar(const YAML::Node& n, const std::string& path,
                       const std::string& expected) const {
        if (!n.IsScalar()) fail(n, path, "expected " + expected + ", got " + kind_of(n));
        const std::string& s = n.Scalar();
        std::string out;
        size_t i = 0;
        while (true) {
            size_t p = s.find("${", i);
            if (p == std::string::npos) {
                out.append(s, i, std::string::npos);
                break;
            }
            out.append(s, i, p - i);
            size_t q = s.find('}', p + 2);
            if (q == std::string::npos)
                fail(n, path, "unterminated '${' in '" + s + "'; expected ${NAME}");
            std::string name = s.substr(p + 2, q - p - 2);
            auto it = params.find(name);
            if (it == params.end())
                fail(n, path, "unknown parameter '${" + name + "}'; " + declared_list());
            out += it->second;
            i = q + 1;
        }
        return out;
    }

    // "'text'" plus, when substitution changed it, where it came from.
    static std::string shown(const YAML::Node& n, const std::string& text) {
        std::string s = "'" + text + "'";
        if (n.IsScalar() && n.Scalar() != text) s += " (from '" + n.Scalar() + "')";
        return s;
    }

    // Integer in [lo, hi]. The range message is ">= lo" when hi is INT_MAX.
    int as_int(const YAML::Node& n, const std::string& path, int64_t lo = INT_MIN,
               int64_t hi = INT_MAX) const {
        std::string t = scalar(n, path, "an integer");
        if (!is_int_text(t, true)) fail(n, path, "expected an integer, got " + shown(n, t));
        errno = 0;
        long long v = std::strtoll(t.c_str(), nullptr, 10);
        if (errno == ERANGE || v > INT_MAX || v < INT_MIN)
            fail(n, path, "expected an integer that fits in 32 bits, got " + shown(n, t));
        check_range(n, path, v, lo, hi);
        return int(v);
    }

    void check_range(const YAML::Node& n, const std::string& path, int64_t v, int64_t lo,
                     int64_t hi) const {
        if (v >= lo && v <= hi) return;
        if (hi == INT_MAX)
            fail(n, path, "must be >= " + std::to_string(lo) + " (got " + std::to_string(v) + ")");
        if (lo == INT_MIN)
            fail(n, path, "must be <= " + std::to_string(hi) + " (got " + std::to_string(v) + ")");
        fail(n, path,
             "must be in " + std::to_string(lo) + ".." + std::to_string(hi) + " (got " +
                 std::to_string(v) + ")");
    }

    uint64_t as_u64(const YAML::Node& n, const std::string& path) const {
        std::string t = scalar(n, path, "a non-negative integer");
        if (!is_int_text(t, false)) {
            if (is_int_text(t, true))
                fail(n, path, "must be >= 0 (got " + t + ")");
            fail(n, path, "expected a non-negative integer, got " + shown(n, t));
        }
        errno = 0;
        unsigned long long v = std::strtoull(t.c_str(), nullptr, 10);
        if (errno == ERANGE)
            fail(n, path, "expected an integer that fits in 64 bits, got " + shown(n, t));
        return uint64_t(v);
    }

    // Integer in [lo, 2^63-1] (the resource counts of a device library).
    int64_t as_i64(const YAML::Node& n, const std::string& path, int64_t lo) const {
        std::string t = scalar(n, path, "an integer");
        if (!is_int_text(t, true)) fail(n, path, "expected an integer, got " + shown(n, t));
        errno = 0;
        long long v = std::strtoll(t.c_str(), nullptr, 10);
        if (errno == ERANGE)
            fail(n, path, "expected an integer that fits in 64 bits, got " + shown(n, t));
        if (v < lo)
            fail(n, path, "must be >= " + std::to_string(lo) + " (got " + std::to_string(v) + ")");
        return int64_t(v);
    }

    double as_number(const YAML::Node& n, const std::string& path) const {
        std::string t = scalar(n, path, "a number");
        bool plausible = !t.empty() && t.find_first_of("xXpP") == std::string::npos &&
                         !std::isspace(static_cast<unsigned char>(t.front()));
        char* end = nullptr;
        errno = 0;
        double v = plausible ? std::strtod(t.c_str(), &end) : 0.0;
        if (!plausible || end == t.c_str() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
            fail(n, path, "expected a number, got " + shown(n, t));
        return v;
    }

    bool as_bool(const YAML::Node& n, const std::string& path) const {
        std::string t = scalar(n, path, "true or false");
        if (t == "true") return true;
        if (t == "false") return false;
        fail(n, path, "expected true or false, got " + shown(n, t));
    }

    std::string as_string(const YAML::Node& n, const std::string& path) const {
        return scalar(n, path, "a string");
    }

    // One of a fixed set of names.
    template <typename E>
    E as_enum(const YAML::Node& n, const std::string& path, const std::string& what,
              const std::vector<std::pair<std::string, E>>& options) const {
        std::string t = scalar(n, path, what);
        std::vector<std::string> names;
        for (const auto& o : options) {
            if (o.first == t) return o.second;
            names.push_back(o.first);
        }
        fail(n, path, "unknown " + what + " " + shown(n, t) + "; expected one of: " + join(names));
    }

private:
    mutable std::vector<std::pair<YAML::Node, SourceLoc>> null_values_;
};

// ---------------------------------------------------------------------------------------
// A mapping node, with its keys checked once (scalar, unique) and lookups that never
// modify or invalidate the YAML tree.

class MapView {
public:
    struct Entry {
        std::string key;
        YAML::Node key_node;
        YAML::Node value;
    };

    // A null node (e.g. `run:` with nothing after it) is an empty mapping.
    MapView(const Ctx& c, const YAML::Node& n, std::string path) : c_(c), node_(n), path_(std::move(path)) {
        if (n.IsNull()) return;
        if (!n.IsMap()) c_.fail(n, path_, "expected a mapping, got " + kind_of(n));
        for (auto it = n.begin(); it != n.end(); ++it) {
            YAML::Node k = it->first;
            YAML::Node v = it->second;
            if (!k.IsScalar())
                c_.fail(k, path_, "field names must be plain words, got " + kind_of(k));
            const std::string& key = k.Scalar();
            for (const auto& e : entries_)
                if (e.key == key) {
                    SourceLoc first = loc_of(e.key_node);
                    c_.fail(k, sub(key),
                            "duplicate field '" + key + "' (first given at line " +
                                std::to_string(first.line) + ")");
                }
            if (v.IsNull()) c_.remember_null_value(v, loc_of(k));
            entries_.push_back({key, k, v});
        }
    }

    const YAML::Node& node() const { return node_; }
    const std::string& path() const { return path_; }
    const std::vector<Entry>& entries() const { return entries_; }
    bool empty() const { return entries_.empty(); }

    std::string sub(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

    const Entry* find(const std::string& key) const {
        for (const auto& e : entries_)
            if (e.key == key) return &e;
        return nullptr;
    }
    bool has(const std::string& key) const { return find(key) != nullptr; }

    // The value of a present key (undefined node when absent).
    YAML::Node get(const std::string& key) const {
        const Entry* e = find(key);
        return e ? e->value : YAML::Node(YAML::NodeType::Undefined);
    }

    // A required key: a missing one is reported at this mapping's own position.
    YAML::Node need(const std::string& key) const {
        const Entry* e = find(key);
        if (!e) c_.fail(node_, sub(key), "missing required field");
        return e->value;
    }

    // Every key must be in `allowed`. `why_not(key)` may explain a known key that does not
    // apply here (e.g. "not allowed for type 'fc'"); otherwise the key is unknown.
    void check_keys(const std::vector<std::string>& allowed,
                    const std::function<std::optional<std::string>(const std::string&)>& why_not =
                        nullptr) const {
        for (const auto& e : entries_) {
            if (contains(allowed, e.key)) continue;
            if (why_not) {
                if (auto reason = why_not(e.key)) c_.fail(e.key_node, sub(e.key), *reason);
            }
            c_.fail(e.key_node, sub(e.key),
                    "unknown field '" + e.key + "'; expected one of: " + join(allowed));
        }
    }

    // Typed optional readers.
    int int_or(const std::string& key, int def, int64_t lo = INT_MIN, int64_t hi = INT_MAX) const {
        const Entry* e = find(key);
        return e ? c_.as_int(e->value, sub(key), lo, hi) : def;
    }
    int need_int(const std::string& key, int64_t lo = INT_MIN, int64_t hi = INT_MAX) const {
        return c_.as_int(need(key), sub(key), lo, hi);
    }
    // A number that must be > 0 (NaN is not).
    double positive_or(const std::string& key, double def) const {
        const Entry* e = find(key);
        if (!e) return def;
        const double x = c_.as_number(e->value, sub(key));
        if (!(x > 0)) c_.fail(e->value, sub(key), "must be > 0 (got " + fmt_double(x) + ")");
        return x;
    }

private:
    const Ctx& c_;
    YAML::Node node_;
    std::string path_;
    std::vector<Entry> entries_;
};

// ---------------------------------------------------------------------------------------
// Sections.

// Fails with a broken layer rule at the node of its field (or the layer's item when the field
// has no node of its own).
void fail_rule(const Ctx& c, const std::optional<RuleViolation>& v, const YAML::Node& item, const std::string& lpath,
               const std::map<std::string, YAML::Node>& nodes) {
    if (!v) return;
    if (v->field.empty()) c.fail(item, lpath, v->message);
    auto it = nodes.find(v->field);
    c.fail(it != nodes.end() && it->second.IsDefined() ? it->second : item, lpath + "." + v->field, v->message);
}

void check_fm_size(const Ctx& c, const YAML::Node& at, const std::string& path, const char* what,
                   int64_t h, int64_t w, int64_t ch) {
    i128 n = i128(h) * w * ch;
    if (n > kMaxFmElements)
        c.fail(at, path,
               std::string(what) + " of " + std::to_string(h) + " x " + std::to_string(w) + " x " +
                   std::to_string(ch) + " = " + to_text(n) +
                   " values is too large (at most 2147483647 allowed)");
}

void parse_params(Ctx& c, const MapView& root, const std::map<std::string, std::string>& overrides) {
    if (root.has("params")) {
        MapView pm(c, root.get("params"), "params");
        for (const auto& e : pm.entries()) {
            std::string path = "params." + e.key;
            if (!valid_param_name(e.key))
                c.fail(e.key_node, path,
                       "parameter names must start with a letter or '_' and use only letters, "
                       "digits and '_' (got '" + e.key + "')");
            if (!e.value.IsScalar())
                c.fail(e.value, path, "expected a scalar value, got " + kind_of(e.value));
            c.params[e.key] = e.value.Scalar();
            c.param_names.push_back(e.key);
        }
    }
    for (const auto& [name, value] : overrides) {
        auto it = c.params.find(name);
        if (it == c.params.end())
            c.fail(SourceLoc{}, "params." + name,
                   "cannot override undeclared parameter '" + name + "'; " + c.declared_list());
        it->second = value;
    }
}

// `p` relative to `base_dir` (as given when absolute or when base_dir is the working directory).
std::string resolve_path(const std::string& base_dir, const std::string& p) {
    namespace fs = std::filesystem;
    fs::path fp(p);
    if (fp.is_absolute() || base_dir.empty() || base_dir == ".") return p;
    return (fs::path(base_dir) / fp).string();
}

// Reads a whole small regular file (at most `max_bytes`); returns false with `why` set when it
// cannot be read. Devices and pipes (/dev/zero, a FIFO) are refused rather than read forever.
bool read_small_file(const std::string& path, uintmax_t max_bytes, std::string& text, std::string& why) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (fs::is_directory(st)) {
        why = "it is a directory";
        return false;
    }
    if (fs::exists(st) && !fs::is_regular_file(st)) {
        why = "it is not a regular file";
        return false;
    }
    if (fs::exists(st)) {
        const uintmax_t size = fs::file_size(path, ec);
        if (!ec && size > max_bytes) {
            why = "it has " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
                  " a device library may have";
            return false;
        }
    }
    errno = 0;
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        int err = errno;
        why = err ? std::strerror(err) : "cannot be opened";
        return false;
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    if (f.bad()) {
        why = "read error";
        return false;
    }
    text = ss.str();
    return true;
}

constexpr const char* kDefaultDeviceLibrary = "devices.yaml";
constexpr uintmax_t kMaxDeviceLibraryBytes = uintmax_t(1) << 20;  // 1 MiB

// One entry of a device library.
struct DeviceEntry {
    std::string name;
    DeviceConfig device;
};

// Counts the documents of a YAML text that hold a node, and remembers where the second one's
// first node is. (YAML::LoadAll is not used: with some malformed inputs its loop never ends,
// returning documents without consuming input; a step that yields no node stops the count.)
class DocumentCounter : public YAML::EventHandler {
public:
    int documents = 0;
    int furthest = -1;  // largest input position of any node seen
    YAML::Mark second;
    void OnDocumentStart(const YAML::Mark&) override { in_document_nodes_ = 0; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m); }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark& m) {
        furthest = std::max(furthest, m.pos);
        if (in_document_nodes_++ == 0 && ++documents == 2) second = m;
    }
    uint64_t in_document_nodes_ = 0;
};

// The single document of `text`; a second document is an error at its first node.
YAML::Node load_single_document(const std::string& text, const Ctx& c) {
    YAML::Node root = YAML::Load(text);
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCounter counter;
    for (;;) {
        const int before = counter.furthest;
        if (!parser.HandleNextDocument(counter) || counter.furthest <= before) break;
    }
    if (counter.documents > 1)
        c.fail(loc_of(counter.second), "yaml",
               "expected a single YAML document, found " + std::to_string(counter.documents));
    return root;
}

// Parses and validates a whole device library (docs/config.md, "Device library"). Errors name
// the library file, with the line and column inside it.
std::vector<DeviceEntry> parse_device_library(const std::string& text, const std::string& lib_path) {
    Ctx c;
    c.file = lib_path;
    YAML::Node doc;
    try {
        doc = load_single_document(text, c);
    } catch (const YAML::Exception& e) {
        throw ConfigError(lib_path, loc_of(e.mark), "yaml", "malformed YAML in device library: " + e.msg);
    }
    static const std::string kShape = "a device library: a mapping with the field 'devices'";
    if (!doc.IsDefined() || doc.IsNull()) c.fail(SourceLoc{1, 1}, "", "empty document; expected " + kShape);
    if (!doc.IsMap()) c.fail(doc, "", "expected " + kShape + ", got " + kind_of(doc));
    MapView root(c, doc, "");
    root.check_keys({"devices"});
    YAML::Node list = root.need("devices");
    if (!list.IsMap() && !list.IsNull())
        c.fail(list, "devices",
               "expected a mapping from device names to {family, lut, ff, bram18, bram36, dsp}, got " +
                   kind_of(list));
    MapView devices(c, list, "devices");
    if (devices.empty()) c.fail(list, "devices", "must list at least one device");
    std::vector<DeviceEntry> out;
    for (const auto& e : devices.entries()) {
        const std::string path = "devices." + e.key;
        if (!valid_layer_name(e.key))
            c.fail(e.key_node, path,
                   "expected a device name of the characters A-Z a-z 0-9 _ . - (got '" + e.key + "')");
        if (e.key == "generic")
            c.fail(e.key_node, path, "'generic' is reserved for a device without resource counts");
        if (!e.value.IsMap())
            c.fail(e.value, path,
                   "expected a mapping with the fields family, lut, ff, bram18 (or bram36), dsp, got " + kind_of(e.value));
        MapView m(c, e.value, path);
        m.check_keys({"family", "lut", "ff", "bram18", "bram36", "dsp"});
        DeviceEntry d;
        d.name = e.key;
        d.device.name = e.key;
        YAML::Node fam = m.need("family");
        d.device.family = c.as_string(fam, path + ".family");
        if (d.device.family.empty()) c.fail(fam, path + ".family", "must not be empty");
        d.device.lut = c.as_i64(m.need("lut"), path + ".lut", 1);
        d.device.ff = c.as_i64(m.need("ff"), path + ".ff", 1);
        // Block RAM as BRAM18 or BRAM36 counts (a BRAM36 is two BRAM18); both must agree.
        if (!m.has("bram18") && !m.has("bram36")) c.fail(e.value, path + ".bram18", "missing required field (or give bram36)");
        if (m.has("bram18")) d.device.bram18 = c.as_i64(m.get("bram18"), path + ".bram18", 1);
        if (m.has("bram36")) {
            const int64_t b36 = c.as_i64(m.get("bram36"), path + ".bram36", 1);
            if (b36 > INT64_MAX / 2) c.fail(m.get("bram36"), path + ".bram36", "too large");
            if (m.has("bram18") && d.device.bram18 != 2 * b36)
                c.fail(m.get("bram36"), path + ".bram36",
                       "must be half of bram18 = " + std::to_string(d.device.bram18) + " (a BRAM36 is two BRAM18; got " +
                           std::to_string(b36) + ")");
            d.device.bram18 = 2 * b36;
        }
        d.device.dsp = c.as_i64(m.need("dsp"), path + ".dsp", 1);
        d.device.library = lib_path;
        out.push_back(std::move(d));
    }
    return out;
}

// The largest clock the simulator accepts: the clock period is simulated in whole
// femtoseconds (SystemC time resolution 1 fs), so 1 THz (1,000 fs) keeps the rounding of the
// period below 0.05%.
constexpr double kMaxClockMhz = 1e6;

DeviceConfig parse_device(const Ctx& c, const MapView& root, const std::string& base_dir) {
    MapView m(c, root.need("device"), "device");
    m.check_keys({"name", "clock_mhz", "library"});
    DeviceConfig d;
    YAML::Node name_node = m.get("name");
    if (m.has("name")) {
        d.name = c.as_string(name_node, "device.name");
        if (d.name.empty()) c.fail(name_node, "device.name", "must not be empty");
    }
    YAML::Node clk = m.need("clock_mhz");
    d.clock_mhz = c.as_number(clk, "device.clock_mhz");
    if (!(d.clock_mhz > 0))
        c.fail(clk, "device.clock_mhz", "must be > 0 (got " + fmt_double(d.clock_mhz) + ")");
    if (d.clock_mhz > kMaxClockMhz)
        c.fail(clk, "device.clock_mhz",
               "must be <= 1000000 (1 THz: the clock period is simulated in whole femtoseconds) (got " +
                   fmt_double(d.clock_mhz) + ")");

    // The device library: read when given, or when a named device must be looked up.
    const bool lib_given = m.has("library");
    if (!lib_given && d.name == "generic") return d;
    std::string lib_path;
    YAML::Node lib_node = m.get("library");
    if (lib_given) {
        std::string p = c.as_string(lib_node, "device.library");
        if (p.empty()) c.fail(lib_node, "device.library", "expected a file path, got an empty string");
        lib_path = resolve_path(base_dir, p);
    } else {
        lib_path = resolve_path(base_dir, kDefaultDeviceLibrary);
    }
    std::string text, why;
    if (!read_small_file(lib_path, kMaxDeviceLibraryBytes, text, why)) {
        if (lib_given)
            c.fail(lib_node, "device.library",
                   "cannot read device library '" + lib_path + "': " + why);
        c.fail(name_node, "device.name",
               "cannot look up device '" + d.name + "': cannot read device library '" + lib_path +
                   "': " + why + " (give device.library, or use name: generic)");
    }
    const std::vector<DeviceEntry> lib = parse_device_library(text, lib_path);
    if (d.name == "generic") {
        d.library = lib_path;
        return d;
    }
    std::vector<std::string> known;
    for (const auto& e : lib) {
        if (e.name == d.name) {
            DeviceConfig out = e.device;
            out.clock_mhz = d.clock_mhz;
            return out;
        }
        known.push_back(e.name);
    }
    c.fail(name_node, "device.name",
           "unknown device '" + d.name + "'; known devices in " + lib_path + ": " + join(known) +
               " (or 'generic' for a device without resource counts)");
}

InputConfig parse_input(const Ctx& c, const MapView& root) {
    MapView m(c, root.need("input"), "input");
    m.check_keys({"height", "width", "channels", "bits", "signed", "stream_bits", "seed", "fifo_depth"});
    InputConfig in;
    in.shape.height = m.need_int("height", 1);
    in.shape.width = m.need_int("width", 1);
    in.shape.channels = m.need_int("channels", 1);
    check_fm_size(c, m.node(), "input", "input feature map", in.shape.height, in.shape.width,
                  in.shape.channels);
    in.bits = m.int_or("bits", 8, 1, 16);
    if (m.has("signed")) in.is_signed = c.as_bool(m.get("signed"), "input.signed");
    in.stream_bits = m.int_or("stream_bits", 24, 1);
    if (m.has("seed")) in.seed = c.as_u64(m.get("seed"), "input.seed");
    in.fifo_depth = m.int_or("fifo_depth", 2, 1);
    return in;
}

// `host:` (docs/host-link.md): the host, its PCIe link and the system architecture.
HostConfig parse_host(const Ctx& c, const MapView& root) {
    HostConfig h;
    if (!root.has("host")) return h;
    h.enabled = true;
    MapView m(c, root.get("host"), "host");
    m.check_keys({"architecture", "timing", "pcie", "dma", "quantum_ns", "host_gops", "loopback"});
    if (m.has("architecture")) {
        const std::string a = c.as_string(m.get("architecture"), "host.architecture");
        if (a == "dataflow") h.architecture = HostArchitecture::Dataflow;
        else if (a == "loopback") h.architecture = HostArchitecture::Loopback;
        else c.fail(m.get("architecture"), "host.architecture", "expected 'dataflow' or 'loopback', got '" + a + "'");
    }
    if (m.has("timing")) {
        const std::string t = c.as_string(m.get("timing"), "host.timing");
        if (t == "lt") h.timing = TimingMode::LooselyTimed;
        else if (t == "at") h.timing = TimingMode::ApproximatelyTimed;
        else c.fail(m.get("timing"), "host.timing", "expected 'lt' (loosely timed) or 'at' (approximately timed), got '" + t + "'");
    }
    if (m.has("pcie")) {
        MapView p(c, m.get("pcie"), "host.pcie");
        p.check_keys({"generation", "lanes", "max_payload_bytes", "tlp_overhead_bytes", "latency_ns", "transfer_overhead_ns"});
        h.pcie.generation = p.int_or("generation", 3, 1, 5);
        h.pcie.lanes = p.int_or("lanes", 8, 1, 16);
        if (h.pcie.lanes & (h.pcie.lanes - 1))
            c.fail(p.get("lanes"), "host.pcie.lanes", "expected 1, 2, 4, 8 or 16, got " + std::to_string(h.pcie.lanes));
        h.pcie.max_payload_bytes = p.int_or("max_payload_bytes", 256, 1, 4096);
        h.pcie.tlp_overhead_bytes = p.int_or("tlp_overhead_bytes", 24, 0, 256);
        h.pcie.latency_ns = p.has("latency_ns") ? c.as_number(p.get("latency_ns"), "host.pcie.latency_ns") : h.pcie.latency_ns;
        h.pcie.transfer_overhead_ns = p.has("transfer_overhead_ns")
                                          ? c.as_number(p.get("transfer_overhead_ns"), "host.pcie.transfer_overhead_ns")
                                          : h.pcie.transfer_overhead_ns;
        if (h.pcie.latency_ns < 0) c.fail(p.get("latency_ns"), "host.pcie.latency_ns", "must be >= 0");
        if (h.pcie.transfer_overhead_ns < 0)
            c.fail(p.get("transfer_overhead_ns"), "host.pcie.transfer_overhead_ns", "must be >= 0");
    }
    if (m.has("dma")) {
        MapView d(c, m.get("dma"), "host.dma");
        d.check_keys({"stream_bits", "clock_mhz"});
        h.dma.stream_bits = d.int_or("stream_bits", 256, 8, 4096);
        h.dma.clock_mhz = d.positive_or("clock_mhz", 250.0);
    }
    h.quantum_ns = m.positive_or("quantum_ns", h.quantum_ns);
    h.host_gops = m.positive_or("host_gops", h.host_gops);
    if (m.has("loopback")) {
        MapView l(c, m.get("loopback"), "host.loopback");
        l.check_keys({"pes", "simd", "clock_mhz"});
        h.loopback_pes = l.int_or("pes", 2048, 1, 1 << 20);
        h.loopback_simd = l.int_or("simd", 4, 1, 4096);
        h.loopback_clock_mhz = l.positive_or("clock_mhz", 250.0);
    }
    return h;
}

WeightSource parse_weight_source(const Ctx& c, const MapView& root, const std::string& base_dir) {
    WeightSource ws;
    if (!root.has("weights")) return ws;
    MapView m(c, root.get("weights"), "weights");
    m.check_keys({"generator", "file"});
    if (m.has("generator") && m.has("file"))
        c.fail(m.find("file")->key_node, "weights",
               "give exactly one of 'generator' or 'file', not both");
    if (m.has("generator")) {
        MapView g(c, m.get("generator"), "weights.generator");
        g.check_keys({"seed", "sparsity"});
        ws.kind = WeightSource::Kind::Generator;
        if (g.has("seed")) ws.seed = c.as_u64(g.get("seed"), "weights.generator.seed");
        if (g.has("sparsity")) {
            YAML::Node s = g.get("sparsity");
            ws.sparsity = c.as_number(s, "weights.generator.sparsity");
            if (!(ws.sparsity >= 0.0 && ws.sparsity < 1.0))
                c.fail(s, "weights.generator.sparsity",
                       "must be in [0, 1) (got " + fmt_double(ws.sparsity) + ")");
        }
    } else if (m.has("file")) {
        YAML::Node f = m.get("file");
        std::string p = c.as_string(f, "weights.file");
        if (p.empty()) c.fail(f, "weights.file", "expected a file path, got an empty string");
        ws.kind = WeightSource::Kind::File;
        ws.path = resolve_path(base_dir, p);
    } else {
        c.fail(m.node(), "weights", "expected exactly one of 'generator' or 'file'");
    }
    return ws;
}

// What the previous layer (or the input) delivers to the next layer.
struct Upstream {
    FmShape shape;
    Encoding enc = Encoding::Unsigned;
    int bits = 8;
    std::string acc_source;  // layer whose raw accumulators are on the stream (enc == Accumulator)
    bool from_input = true;
};

struct Padding {
    enum class Mode { Explicit, Same } mode = Mode::Explicit;
    int begin = 0;
    int end = 0;
    YAML::Node node;  // undefined when not given
};

Padding parse_padding(const Ctx& c, const YAML::Node& n, const std::string& path) {
    Padding p;
    p.node = n;
    const std::string expected = "an integer >= 0, [before, after], 'same' or 'valid'";
    if (n.IsSequence()) {
        if (n.size() != 2)
            c.fail(n, path,
                   "expected [before, after] with 2 entries, got " + std::to_string(n.size()));
        p.begin = c.as_int(n[0], path + "[0]", 0);
        p.end = c.as_int(n[1], path + "[1]", 0);
        return p;
    }
    std::string t = c.scalar(n, path, expected);
    if (t == "same") {
        p.mode = Padding::Mode::Same;
        return p;
    }
    if (t == "valid") return p;
    if (is_int_text(t, true)) {
        p.begin = p.end = c.as_int(n, path, 0);
        return p;
    }
    c.fail(n, path, "expected " + expected + ", got " + Ctx::shown(n, t));
}

// "same" padding along one axis: out = ceil(in/stride).
std::pair<int64_t, int64_t> same_padding(int64_t in, int64_t kernel, int64_t stride) {
    int64_t out = (in + stride - 1) / stride;
    int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
    return {total / 2, total - total / 2};
}

const std::vector<std::string> kAllLayerKeys = {
    "name",       "type",        "kernel",     "stride",   "padding",         "groups",
    "filters",    "prune",       "prune_round", "grow_to_pe", "weights",     "activation",
    "datapath",   "multipliers", "threshold_storage", "folding",     "reuse",      "fifo_depth", "swu_buffer_rows", "swu_write_pixels",
    "in_channels",
    "activation_unit",
    "decompressor", "scaling"};

std::vector<std::string> layer_keys(LayerType t) {
    switch (t) {
        case LayerType::Conv: return kAllLayerKeys;
        case LayerType::Fc:
            return {"name",       "type",       "filters",  "prune",   "prune_round", "grow_to_pe",
                    "weights",    "activation", "datapath", "multipliers", "threshold_storage", "folding",
                    "reuse",      "fifo_depth", "in_channels",
                    "activation_unit",
                    "decompressor"};
        case LayerType::MaxPool:
            return {"name",       "type",       "kernel",          "stride",           "padding",
                    "folding",    "fifo_depth", "swu_buffer_rows", "swu_write_pixels", "in_channels"};
        case LayerType::GlobalMaxPool:
            return {"name", "type", "folding", "fifo_depth", "in_channels"};
    }
    return {};
}

void parse_weight_quant(const Ctx& c, const MapView& lm, const std::string& lpath, LayerConfig& L) {
    const std::string path = lpath + ".weights";
    MapView m(c, lm.need("weights"), path);
    WeightQuant q = c.as_enum<WeightQuant>(m.need("quant"), path + ".quant", "weight quantisation",
                                           {{"binary", WeightQuant::Binary},
                                            {"ternary", WeightQuant::Ternary},
                                            {"uniform", WeightQuant::Uniform},
                                            {"rccm", WeightQuant::Rccm}});
    std::vector<std::string> allowed = {"quant", "bits"};
    if (q == WeightQuant::Ternary) allowed.push_back("threshold");
    if (q == WeightQuant::Uniform || q == WeightQuant::Rccm) allowed.push_back("scale");
    if (q == WeightQuant::Rccm) allowed.push_back("rccm");
    const std::string qname = to_string(q);
    m.check_keys(allowed, [&](const std::string& k) -> std::optional<std::string> {
        if (k == "threshold" || k == "scale")
            return "not allowed for " + qname + " weights (threshold: ternary only; scale: uniform and rccm only)";
        if (k == "rccm") return "not allowed for " + qname + " weights (the RCCM circuit of quant: rccm)";
        return std::nullopt;
    });
    WeightQuantConfig w;
    w.quant = q;
    switch (q) {
        case WeightQuant::Binary:
            w.bits = 1;
            if (m.has("bits") && c.as_int(m.get("bits"), path + ".bits") != 1)
                c.fail(m.get("bits"), path + ".bits",
                       "must be 1 for binary weights (got " + c.scalar(m.get("bits"), path + ".bits", "") + ")");
            break;
        case WeightQuant::Ternary:
            w.bits = 2;
            if (m.has("bits") && c.as_int(m.get("bits"), path + ".bits") != 2)
                c.fail(m.get("bits"), path + ".bits",
                       "must be 2 for ternary weights (got " + c.scalar(m.get("bits"), path + ".bits", "") + ")");
            w.threshold = m.positive_or("threshold", 0.05);
            break;
        case WeightQuant::Uniform:
            w.bits = m.need_int("bits", 2, 8);
            w.scale = m.positive_or("scale", std::ldexp(1.0, -(w.bits - 1)));
            break;
        case WeightQuant::Rccm: {
            // ch. 6.4.3: the 2-Add, 3-Add and 4-Add circuits of Table 6.3; their select indices
            // are what the PE memories hold (4, 6, 8 bits).
            w.rccm = c.as_enum<RccmKind>(m.need("rccm"), path + ".rccm", "RCCM circuit",
                                         {{"2add", RccmKind::Add2}, {"3add", RccmKind::Add3}, {"4add", RccmKind::Add4}});
            w.bits = rccm_select_bits(w.rccm);
            if (m.has("bits") && c.as_int(m.get("bits"), path + ".bits") != w.bits)
                c.fail(m.get("bits"), path + ".bits",
                       "must be " + std::to_string(w.bits) + " for " + rccm_name(w.rccm) +
                           " select indices (got " + c.scalar(m.get("bits"), path + ".bits", "") + ")");
            w.scale = m.positive_or("scale", 0.0);  // 0: derived from the imported weights' range
            break;
        }
    }
    L.weights = w;
}

void parse_activation(const Ctx& c, const MapView& lm, const std::string& lpath, LayerConfig& L) {
    const std::string path = lpath + ".activation";
    MapView m(c, lm.need("activation"), path);
    ActivationType t = c.as_enum<ActivationType>(m.need("type"), path + ".type", "activation type",
                                                 {{"thresholds", ActivationType::Thresholds},
                                                  {"bipolar", ActivationType::Bipolar},
                                                  {"relu", ActivationType::Relu},
                                                  {"none", ActivationType::None}});
    if (t == ActivationType::None) {
        m.check_keys({"type"}, [](const std::string& k) -> std::optional<std::string> {
            if (k == "bits")
                return std::string("not allowed for activation type 'none' (it outputs 32-bit accumulators)");
            return std::nullopt;
        });
    } else {
        m.check_keys({"type", "bits"});
    }
    ActivationConfig a;
    a.type = t;
    switch (t) {
        case ActivationType::Thresholds:
            a.bits = m.int_or("bits", 2, 1, 8);
            L.out_encoding = Encoding::Unsigned;
            break;
        case ActivationType::Bipolar:
            a.bits = 1;
            if (m.has("bits") && c.as_int(m.get("bits"), path + ".bits") != 1)
                c.fail(m.get("bits"), path + ".bits",
                       "must be 1 for a bipolar activation (got " + c.scalar(m.get("bits"), path + ".bits", "") + ")");
            L.out_encoding = Encoding::Bipolar;
            break;
        case ActivationType::Relu:
            a.bits = m.int_or("bits", 8, 1, 16);
            L.out_encoding = Encoding::Unsigned;
            break;
        case ActivationType::None:
            a.bits = 32;
            L.out_encoding = Encoding::Accumulator;
            break;
    }
    L.activation = a;
    L.out_bits = a.bits;
}


// `activation_unit` (resources only): per PE, or after the fan-in. RCCM layers apply their
// scale lambda after the fan-in and before the activation, so theirs is always there.
void parse_activation_unit(const Ctx& c, const MapView& lm, const std::string& lpath, LayerConfig& L) {
    const bool rccm = L.datapath == Datapath::Rccm;
    L.activation_unit = rccm ? LayerConfig::ActivationUnit::AfterFanIn : LayerConfig::ActivationUnit::PerPe;
    if (!lm.has("activation_unit")) return;
    YAML::Node un = lm.get("activation_unit");
    const std::string path = lpath + ".activation_unit";
    const auto unit = c.as_enum<LayerConfig::ActivationUnit>(
        un, path, "activation unit",
        {{"per_pe", LayerConfig::ActivationUnit::PerPe}, {"after_fan_in", LayerConfig::ActivationUnit::AfterFanIn}});
    if (rccm && unit != LayerConfig::ActivationUnit::AfterFanIn)
        c.fail(un, path,
               "must be 'after_fan_in' for rccm weights: the scale lambda follows the fan-in of the PE outputs and "
               "precedes the activation (ch. 6.6.2)");
    L.activation_unit = unit;
}

// An RCCM layer without activation sends lambda x accumulator out raw, which must fit 32 bits
// for every 8-bit lambda: fan_in * max|c| * max|x| * 255 < 2^31.
void check_rccm_raw_output(const Ctx& c, const YAML::Node& item, const std::string& lpath, const LayerConfig& L) {
    if (L.datapath != Datapath::Rccm || L.activation.type != ActivationType::None) return;
    const i128 max = sat_mul(sat_mul(sat_mul(L.fan_in(), L.max_abs_weight()), L.max_abs_input()), 255);
    if (max < (i128(1) << 31)) return;
    c.fail(item, lpath,
           "layer '" + L.name + "': with activation 'none' the scaled accumulator lambda x acc leaves the layer as a "
           "32-bit value, but fan_in " + to_text(L.fan_in()) + " * max|coefficient| " + to_text(L.max_abs_weight()) +
               " * max|input| " + to_text(L.max_abs_input()) + " * max lambda 255 = " + grouped(max) +
               " does not fit; give the layer an activation");
}
// SYQ scaling (ch. 5.4, 5.7.2): `scaling: {granularity: layer|row|pixel, bits: B}`, conv only.
void parse_scaling(const Ctx& c, const MapView& lm, const std::string& lpath, LayerConfig& L) {
    if (!lm.has("scaling")) return;
    const std::string path = lpath + ".scaling";
    MapView m(c, lm.get("scaling"), path);
    m.check_keys({"granularity", "bits"});
    ScalingConfig s;
    if (m.has("granularity"))
        s.granularity = c.as_enum<ScalingGranularity>(m.get("granularity"), path + ".granularity", "scaling granularity",
                                                      {{"layer", ScalingGranularity::Layer},
                                                       {"row", ScalingGranularity::Row},
                                                       {"pixel", ScalingGranularity::Pixel}});
    s.bits = m.int_or("bits", 8, 1, 16);
    L.scaling = s;
    if (s.granularity == ScalingGranularity::Layer) return;  // absorbed into the thresholds
    const YAML::Node at = m.has("granularity") ? m.get("granularity") : m.node();
    if (L.weights.quant != WeightQuant::Binary && L.weights.quant != WeightQuant::Ternary)
        c.fail(at, path + ".granularity",
               std::string("row- and pixel-wise SYQ scaling applies to binary and ternary weights (this layer's "
                           "are ") + to_string(L.weights.quant) + ")");
    if (L.groups != 1)
        c.fail(at, path + ".granularity",
               "row- and pixel-wise SYQ scaling needs groups = 1 (got " + std::to_string(L.groups) + ")");
}

// The decompressor-fed PE array (ch. 3.4): `decompressor: {encoding, delta_bits, batch}`.
// Needs L.folding and L.reuse.
void parse_decompressor(const Ctx& c, const MapView& lm, const std::string& lpath, LayerConfig& L) {
    if (!lm.has("decompressor")) return;
    const std::string path = lpath + ".decompressor";
    MapView m(c, lm.get("decompressor"), path);
    const bool fc = L.type == LayerType::Fc;
    m.check_keys(fc ? std::vector<std::string>{"encoding", "delta_bits", "batch"}
                    : std::vector<std::string>{"encoding", "delta_bits"},
                 [&](const std::string& k) -> std::optional<std::string> {
                     if (k == "batch")
                         return std::string("applies to fc layers; a conv layer reuses each weight over its "
                                            "folding.mmv output pixels");
                     return std::nullopt;
                 });
    DecompressorConfig d;
    d.enabled = true;
    if (m.has("encoding"))
        d.encoding = c.as_enum<WeightEncoding>(m.get("encoding"), path + ".encoding", "weight encoding",
                                               {{"rle", WeightEncoding::RunLength}, {"huffman", WeightEncoding::Huffman}});
    d.delta_bits = m.int_or("delta_bits", 7, 1, 15);
    if (fc) d.batch = m.int_or("batch", 1, 1, 1 << 16);
    const YAML::Node at = m.node();
    if (L.weights.quant != WeightQuant::Ternary)
        c.fail(at, path,
               std::string("needs ternary weights: the encodings store the nonzero +-1 weights (this layer's are ") +
                   to_string(L.weights.quant) + ")");
    if (L.groups != 1)
        c.fail(at, path, "needs groups = 1 (got " + std::to_string(L.groups) + ")");
    if (L.reuse != 1)
        c.fail(at, path, "cannot be combined with PE reuse (reuse " + std::to_string(L.reuse) + ")");
    if (L.scaling_factors() > 0)
        c.fail(at, path, "cannot be combined with row- or pixel-wise SYQ scaling");
    L.decompressor = d;
}

// Every per-frame count the timing model and the report compute for this layer (cycles of each
// block, operations) must fit in 64 bits. The formulas mirror the timing rules
// (models/*/..._timing.cpp), computed here in 128 bits.
void check_layer_counts(const Ctx& c, const YAML::Node& item, const std::string& lpath,
                        const LayerConfig& L) {
    const i128 hi = L.in.height, wi = L.in.width, ci = L.in.channels;
    const i128 ho = L.out.height, wo = L.out.width, n = L.out.channels;
    const i128 k = L.kernel, simd = L.folding.simd, pe = L.folding.pe, mmv = L.folding.mmv;
    const i128 reuse = L.reuse;
    // Formulas name the reuse factor only where there is one.
    const std::string reuse_factor = L.reuse > 1 ? " * reuse" : "";
    const std::string reuse_value = L.reuse > 1 ? " * " + std::to_string(L.reuse) : "";
    struct Count {
        const char* what;
        std::string formula;
        i128 value;
    };
    std::vector<Count> counts;
    auto num = [](i128 v) { return to_text(v); };
    if (L.uses_swu()) {
        const i128 wp = L.swu_write_pixels;
        counts.push_back({"sliding-window unit (input side) cycles per frame",
                          "H_in * ceil(W_in/P) * ceil(C/SIMD) = " + num(hi) + " * " + num(ceil_div128(wi, wp)) +
                              " * " + num(ceil_div128(ci, simd)),
                          sat_mul(sat_mul(hi, ceil_div128(wi, wp)), ceil_div128(ci, simd))});
        counts.push_back({"sliding-window unit (window side) cycles per frame",
                          "H_out * ceil(W_out/MMV) * K*K * ceil(C/SIMD)" + reuse_factor + " = " + num(ho) + " * " +
                              num(ceil_div128(wo, mmv)) + " * " + num(k) + "*" + num(k) + " * " +
                              num(ceil_div128(ci, simd)) + reuse_value,
                          sat_mul(sat_mul(sat_mul(sat_mul(ho, ceil_div128(wo, mmv)), sat_mul(k, k)),
                                          ceil_div128(ci, simd)),
                                  reuse)});
    }
    switch (L.type) {
        case LayerType::Conv:
        case LayerType::Fc: {
            const i128 fan_in = L.fan_in();
            const i128 pixels = L.type == LayerType::Conv ? sat_mul(ho, ceil_div128(wo, mmv)) : 1;
            counts.push_back({"MVTU cycles per frame",
                              "output pixel groups * ceil(fan_in/SIMD) * ceil(N/PE)" + reuse_factor + " = " +
                                  num(pixels) + " * " + num(ceil_div128(fan_in, simd)) + " * " +
                                  num(ceil_div128(n, pe)) + reuse_value,
                              sat_mul(sat_mul(sat_mul(pixels, ceil_div128(fan_in, simd)), ceil_div128(n, pe)),
                                      reuse)});
            counts.push_back({"multiply-accumulates per frame",
                              "fan_in * N * H_out * W_out = " + num(fan_in) + " * " + num(n) + " * " +
                                  num(ho) + " * " + num(wo),
                              sat_mul(sat_mul(fan_in, n), sat_mul(ho, wo))});
            break;
        }
        case LayerType::MaxPool:
            counts.push_back({"pooling unit cycles per frame",
                              "H_out * W_out * K*K * ceil(C/SIMD) = " + num(ho) + " * " + num(wo) + " * " +
                                  num(k) + "*" + num(k) + " * " + num(ceil_div128(ci, simd)),
                              sat_mul(sat_mul(sat_mul(ho, wo), sat_mul(k, k)), ceil_div128(ci, simd))});
            counts.push_back({"comparisons per frame",
                              "H_out * W_out * C * K*K = " + num(ho) + " * " + num(wo) + " * " + num(ci) +
                                  " * " + num(k) + "*" + num(k),
                              sat_mul(sat_mul(sat_mul(ho, wo), ci), sat_mul(k, k))});
            break;
        case LayerType::GlobalMaxPool:
            counts.push_back({"global pooling unit cycles per frame",
                              "H_in * W_in * ceil(C/SIMD) = " + num(hi) + " * " + num(wi) + " * " +
                                  num(ceil_div128(ci, simd)),
                              sat_mul(sat_mul(hi, wi), ceil_div128(ci, simd))});
            break;
    }
    for (const auto& cnt : counts)
        if (cnt.value > kU64Max)
            c.fail(item, lpath,
                   "layer '" + L.name + "': its " + cnt.what + " " + cnt.formula + " = " +
                       grouped(cnt.value) +
                       " does not fit in 64 bits (at most 18,446,744,073,709,551,615); use a smaller "
                       "kernel or feature map");
    // The SWU emits one row of the image matrix at a time: W_out windows of K*K*C values,
    // held in memory like a feature map and under the same 2^31-1 limit.
    if (L.uses_swu()) {
        const i128 row = sat_mul(wo, sat_mul(sat_mul(k, k), ci));
        if (row > kMaxFmElements)
            c.fail(item, lpath,
                   "layer '" + L.name + "': its sliding-window unit would emit rows of W_out * K*K*C = " +
                       num(wo) + " * " + num(k) + "*" + num(k) + "*" + num(ci) + " = " + grouped(row) +
                       " values, more than the 2,147,483,647 a row may hold; use a smaller kernel");
    }
}

LayerConfig parse_layer(const Ctx& c, const YAML::Node& item, size_t index, const Upstream& up,
                        int default_fifo, int default_reuse, std::map<std::string, std::string>& names) {
    const std::string lpath = "layers[" + std::to_string(index) + "]";
    auto F = [&](const std::string& k) { return lpath + "." + k; };
    if (!item.IsMap()) c.fail(item, lpath, "expected a mapping (one layer), got " + kind_of(item));
    MapView lm(c, item, lpath);
    LayerConfig L;
    L.loc = loc_of(item);

    // Name and type come first: everything else depends on the type.
    YAML::Node name_node = lm.need("name");
    L.name = c.as_string(name_node, F("name"));
    if (!valid_layer_name(L.name))
        c.fail(name_node, F("name"),
               "expected a non-empty name of the characters A-Z a-z 0-9 _ . - (got '" + L.name + "')");
    auto dup = names.find(L.name);
    if (dup != names.end())
        c.fail(name_node, F("name"),
               "duplicate layer name '" + L.name + "' (already used by " + dup->second + ")");
    names[L.name] = lpath;

    L.type = c.as_enum<LayerType>(lm.need("type"), F("type"), "layer type",
                                  {{"conv", LayerType::Conv},
                                   {"fc", LayerType::Fc},
                                   {"maxpool", LayerType::MaxPool},
                                   {"global_maxpool", LayerType::GlobalMaxPool}});
    const std::string tname = to_string(L.type);
    lm.check_keys(layer_keys(L.type), [&](const std::string& k) -> std::optional<std::string> {
        if (contains(kAllLayerKeys, k)) return "not allowed for type '" + tname + "'";
        return std::nullopt;
    });

    if (L.is_compute() && up.enc == Encoding::Accumulator)
        c.fail(item, lpath,
               "input is a raw 32-bit accumulator; give layer '" + up.acc_source + "' an activation");

    L.in = up.shape;
    L.in_encoding = up.enc;
    L.in_bits = up.bits;

    // Folding (all types); pooling SIMD defaults to all channels at once.
    Folding fold;
    YAML::Node pe_node, simd_node, mmv_node;
    bool simd_given = false;
    if (lm.has("folding")) {
        MapView fm(c, lm.get("folding"), F("folding"));
        fm.check_keys({"pe", "simd", "mmv"});
        fold.pe = fm.int_or("pe", 1, 1);
        fold.simd = fm.int_or("simd", 1, 1);
        fold.mmv = fm.int_or("mmv", 1, 1);
        pe_node = fm.get("pe");
        simd_node = fm.get("simd");
        mmv_node = fm.get("mmv");
        simd_given = fm.has("simd");
    }

    // Geometry.
    YAML::Node kernel_node;
    if (L.uses_swu()) {
        kernel_node = lm.need("kernel");
        L.kernel = c.as_int(kernel_node, F("kernel"), 1);
        int stride_default = L.type == LayerType::MaxPool ? L.kernel : 1;
        L.stride = lm.int_or("stride", stride_default, 1);
        if (L.type == LayerType::Conv) L.groups = lm.int_or("groups", 1, 1);

        Padding pad;
        if (lm.has("padding")) pad = parse_padding(c, lm.get("padding"), F("padding"));
        if (pad.mode == Padding::Mode::Same) {
            auto ph = same_padding(L.in.height, L.kernel, L.stride);
            auto pw = same_padding(L.in.width, L.kernel, L.stride);
            if (ph != pw)
                c.fail(pad.node, F("padding"),
                       "'same' needs [" + std::to_string(ph.first) + ", " + std::to_string(ph.second) +
                           "] along the height but [" + std::to_string(pw.first) + ", " +
                           std::to_string(pw.second) +
                           "] along the width; give the padding explicitly");
            if (ph.first > INT_MAX || ph.second > INT_MAX)
                c.fail(pad.node, F("padding"), "'same' padding is too large");
            L.pad_begin = int(ph.first);
            L.pad_end = int(ph.second);
        } else {
            L.pad_begin = pad.begin;
            L.pad_end = pad.end;
        }

        if (L.type == LayerType::Conv && L.in.channels % L.groups != 0)
            c.fail(lm.get("groups"), F("groups"),
                   "must divide in_channels = " + std::to_string(L.in.channels) + " (got " +
                       std::to_string(L.groups) + ")");

        int64_t padded_h = int64_t(L.in.height) + L.pad_begin + L.pad_end;
        int64_t padded_w = int64_t(L.in.width) + L.pad_begin + L.pad_end;
        if (L.kernel > padded_h)
            c.fail(kernel_node, F("kernel"),
                   "must be <= padded input height = " + std::to_string(padded_h) + " (got " +
                       std::to_string(L.kernel) + ")");
        if (L.kernel > padded_w)
            c.fail(kernel_node, F("kernel"),
                   "must be <= padded input width = " + std::to_string(padded_w) + " (got " +
                       std::to_string(L.kernel) + ")");
        int64_t oh = (padded_h - L.kernel) / L.stride + 1;
        int64_t ow = (padded_w - L.kernel) / L.stride + 1;
        check_fm_size(c, item, lpath, "output feature map", oh, ow, L.in.channels);
        L.out.height = int(oh);
        L.out.width = int(ow);
    } else {
        L.kernel = 1;
        L.stride = 1;
    }

    if (L.is_compute()) {
        YAML::Node filters_node = lm.need("filters");
        L.filters = c.as_int(filters_node, F("filters"), 1);
        if (lm.has("prune")) {
            YAML::Node pn = lm.get("prune");
            L.prune = c.as_number(pn, F("prune"));
            if (!(L.prune >= 0.0 && L.prune < 1.0))
                c.fail(pn, F("prune"), "must be in [0, 1) (got " + fmt_double(L.prune) + ")");
        }
        const int g = L.groups;
        if (lm.has("prune_round")) {
            YAML::Node rn = lm.get("prune_round");
            if (L.prune == 0.0)
                c.fail(rn, F("prune_round"), "only applies with prune > 0 (prune is 0 here)");
            L.prune_round = c.as_enum<PruneRound>(rn, F("prune_round"), "rounding",
                                                  {{"up", PruneRound::Up},
                                                   {"down", PruneRound::Down},
                                                   {"nearest", PruneRound::Nearest}});
        }
        if (lm.has("grow_to_pe")) {
            YAML::Node gn = lm.get("grow_to_pe");
            L.grow_to_pe = c.as_bool(gn, F("grow_to_pe"));
            if (L.grow_to_pe && L.prune > 0.0)
                c.fail(gn, F("grow_to_pe"),
                       "applies to unpruned layers (prune = 0); a pruned layer is rounded to a PE "
                       "multiple by prune_round");
        }
        int64_t n_out;
        if (L.prune == 0.0 && !L.grow_to_pe) {
            n_out = L.filters;
            if (n_out % g != 0)
                c.fail(filters_node, F("filters"),
                       "must be a multiple of groups = " + std::to_string(g) + " (got " +
                           std::to_string(n_out) + ")");
        } else {
            // Keep (N / groups) % PE == 0 (ch. 4.5.2): round the kept count per group to a PE
            // multiple (pruning), or grow an unpruned layer's filters up to one.
            n_out = derive_output_channels(L, fold.pe);
            if (n_out > INT_MAX)
                c.fail(filters_node, F("filters"),
                       "pruned channel count " + std::to_string(n_out) + " does not fit in 32 bits");
            if (n_out > L.filters && !L.grow_to_pe)
                c.fail(lm.get("prune"), F("prune"),
                       "keeping " + fmt_double(double(L.filters) * (1.0 - L.prune)) + " of " +
                           std::to_string(L.filters) + " filters rounds up to " + std::to_string(n_out) +
                           " (a multiple of groups x PE = " + std::to_string(g * fold.pe) +
                           "), more than the layer has; choose a smaller PE or prune_round: down");
        }
        if (L.type == LayerType::Fc) {
            L.out = FmShape{1, 1, int(n_out)};
        } else {
            L.out.channels = int(n_out);
            check_fm_size(c, item, lpath, "output feature map", L.out.height, L.out.width,
                          L.out.channels);
        }

        parse_weight_quant(c, lm, lpath, L);
        parse_activation(c, lm, lpath, L);

        // Datapath from the operand types (ch. 4.6.2; RCCM select indices, ch. 6.6.2).
        L.datapath = derive_datapath(L.weights.quant, L.in_encoding);
        if (lm.has("datapath")) {
            YAML::Node dn = lm.get("datapath");
            Datapath d = c.as_enum<Datapath>(dn, F("datapath"), "datapath",
                                             {{"xnor_popcount", Datapath::XnorPopcount},
                                              {"addsub", Datapath::AddSub},
                                              {"dsp_mac", Datapath::DspMac},
                                              {"rccm", Datapath::Rccm}});
            if (d != L.datapath)
                c.fail(dn, F("datapath"),
                       std::string("must be '") + to_string(L.datapath) + "' for " +
                           to_string(L.weights.quant) + " weights with " + to_string(L.in_encoding) +
                           " input (got '" + to_string(d) + "')");
        }

        if (lm.has("multipliers")) {
            YAML::Node mn = lm.get("multipliers");
            L.multipliers = c.as_enum<LayerConfig::Multipliers>(
                mn, F("multipliers"), "multiplier implementation",
                {{"dsp", LayerConfig::Multipliers::Dsp}, {"lut", LayerConfig::Multipliers::Lut}});
        }

        if (lm.has("threshold_storage")) {
            YAML::Node tn = lm.get("threshold_storage");
            L.threshold_storage = c.as_enum<LayerConfig::ThresholdStorage>(
                tn, F("threshold_storage"), "threshold storage",
                {{"memory", LayerConfig::ThresholdStorage::Memory},
                 {"constant", LayerConfig::ThresholdStorage::Constant}});
            if (L.thresholds_per_channel() == 0)
                c.fail(tn, F("threshold_storage"),
                       std::string("only applies to thresholds and bipolar activations (this layer's is '") +
                           to_string(L.activation.type) + "')");
        }

        parse_activation_unit(c, lm, lpath, L);

        parse_scaling(c, lm, lpath, L);

        // Folding rules, then the accumulator range.
        L.folding = fold;
        fail_rule(c, check_folding(L), item, lpath, {{"folding.simd", simd_node}, {"folding.pe", pe_node},
                                                     {"folding.mmv", mmv_node}});
        fail_rule(c, check_accumulator(L), item, lpath, {});
        check_rccm_raw_output(c, item, lpath, L);
    } else {
        // Pooling: channels pass through, and so does the encoding.
        if (L.type == LayerType::GlobalMaxPool) L.out = FmShape{1, 1, L.in.channels};
        L.out.channels = L.in.channels;
        L.out_encoding = L.in_encoding;
        L.out_bits = L.in_bits;
        if (!simd_given) fold.simd = L.in.channels;
        L.folding = fold;
        fail_rule(c, check_folding(L), item, lpath, {{"folding.simd", simd_node}, {"folding.pe", pe_node},
                                                     {"folding.mmv", mmv_node}});
    }
    // PE reuse (ch. 4.5.1): conv layers only; the time-shared PE count must be whole. A reuse
    // from defaults.reuse is reported at the PEs it does not divide.
    if (lm.has("reuse")) {
        L.reuse = c.as_int(lm.get("reuse"), F("reuse"), 1, 1 << 16);
        fail_rule(c, check_reuse(L), item, lpath, {{"reuse", lm.get("reuse")}});
    } else if (default_reuse > 1 && L.type == LayerType::Conv) {
        L.reuse = default_reuse;
        if (auto v = check_reuse(L))
            c.fail(pe_node.IsDefined() ? pe_node : item, F("folding.pe"),
                   v->message + "; the reuse comes from defaults.reuse");
    }

    if (L.is_compute()) {
        if (L.scaling_factors() > 0 && L.reuse != 1)
            c.fail(lm.get("scaling"), F("scaling"),
                   "row- and pixel-wise SYQ scaling cannot be combined with PE reuse (reuse " +
                       std::to_string(L.reuse) + ")");
        parse_decompressor(c, lm, lpath, L);
    }

    L.fifo_depth = lm.int_or("fifo_depth", default_fifo, 1);

    if (L.uses_swu()) {
        // With reuse the SWU keeps the whole input frame for the passes.
        int64_t def_rows = L.reuse > 1 ? int64_t(L.in.height) : int64_t(L.kernel) + L.stride;
        L.swu_write_pixels = lm.int_or("swu_write_pixels", 1, 1, 1 << 16);
        if (lm.has("swu_buffer_rows")) {
            YAML::Node sn = lm.get("swu_buffer_rows");
            int rows = c.as_int(sn, F("swu_buffer_rows"));
            if (rows < L.kernel)
                c.fail(sn, F("swu_buffer_rows"),
                       "must be >= kernel = " + std::to_string(L.kernel) + " (got " +
                           std::to_string(rows) + ")");
            if (L.reuse > 1 && rows < L.in.height)
                c.fail(sn, F("swu_buffer_rows"),
                       "must be >= the input height " + std::to_string(L.in.height) +
                           " with reuse " + std::to_string(L.reuse) +
                           ": every pass reads the whole input frame (got " + std::to_string(rows) + ")");
            L.swu_buffer_rows = rows;
        } else {
            if (def_rows > INT_MAX)
                c.fail(kernel_node, F("kernel"), "kernel + stride does not fit in 32 bits");
            L.swu_buffer_rows = int(def_rows);
        }
    }

    if (lm.has("in_channels")) {
        YAML::Node cn = lm.get("in_channels");
        int given = c.as_int(cn, F("in_channels"), 1);
        const std::string source = up.from_input ? "the input" : "the previous layer";
        if (L.type == LayerType::Fc) {
            if (int64_t(given) != L.in.elements())
                c.fail(cn, F("in_channels"),
                       "must equal the flattened input size " + std::to_string(L.in.height) + " x " +
                           std::to_string(L.in.width) + " x " + std::to_string(L.in.channels) +
                           " = " + std::to_string(L.in.elements()) + " derived from " + source +
                           " (got " + std::to_string(given) + ")");
        } else if (given != L.in.channels) {
            c.fail(cn, F("in_channels"),
                   "must equal the channel count " + std::to_string(L.in.channels) +
                       " derived from " + source + " (got " + std::to_string(given) + ")");
        }
    }
    check_layer_counts(c, item, lpath, L);
    return L;
}

NetworkConfig parse_root(Ctx& c, const YAML::Node& root,
                         const std::map<std::string, std::string>& overrides,
                         const std::string& base_dir) {
    static const std::string kTop = "a mapping with the fields name, device, input and layers";
    if (!root.IsDefined() || root.IsNull())
        c.fail(SourceLoc{1, 1}, "", "empty document; expected " + kTop);
    if (!root.IsMap()) c.fail(root, "", "expected " + kTop + ", got " + kind_of(root));
    MapView m(c, root, "");
    m.check_keys({"name", "params", "device", "input", "weights", "run", "defaults", "host", "resources",
                  "layers"});

    parse_params(c, m, overrides);

    NetworkConfig cfg;
    cfg.source_file = c.file;
    YAML::Node name_node = m.need("name");
    cfg.name = c.as_string(name_node, "name");
    if (cfg.name.empty()) c.fail(name_node, "name", "must not be empty");
    cfg.device = parse_device(c, m, base_dir);
    cfg.input = parse_input(c, m);
    cfg.weights = parse_weight_source(c, m, base_dir);
    cfg.host = parse_host(c, m);
    YAML::Node frames_node(YAML::NodeType::Undefined), watchdog_node(YAML::NodeType::Undefined);
    SourceLoc run_loc{1, 1};
    if (m.has("run")) {
        MapView r(c, m.get("run"), "run");
        r.check_keys({"frames", "watchdog_cycles"});
        cfg.run.frames = r.int_or("frames", 2, 1);
        frames_node = r.get("frames");
        run_loc = c.loc_for(r.node());
        if (r.has("watchdog_cycles")) {
            watchdog_node = r.get("watchdog_cycles");
            const std::string path = "run.watchdog_cycles";
            std::string t = c.scalar(watchdog_node, path, "an integer >= 1");
            if (is_int_text(t, true) && !is_int_text(t, false))
                c.fail(watchdog_node, path, "must be >= 1 (got " + t + ")");
            cfg.run.watchdog_cycles = c.as_u64(watchdog_node, path);
            if (cfg.run.watchdog_cycles == 0)
                c.fail(watchdog_node, path,
                       "must be >= 1 (got 0; leave the field out for the limit derived from the design)");
        }
    }
    int default_fifo = 2, default_reuse = 1;
    if (m.has("defaults")) {
        MapView d(c, m.get("defaults"), "defaults");
        d.check_keys({"fifo_depth", "reuse"});
        default_fifo = d.int_or("fifo_depth", 2, 1);
        default_reuse = d.int_or("reuse", 1, 1, 1 << 16);
    }
    if (m.has("resources")) {
        MapView r(c, m.get("resources"), "resources");
        r.check_keys({"flow", "bram_ports"});
        if (r.has("flow"))
            cfg.resources.flow = c.as_enum<ResourceFlow>(r.get("flow"), "resources.flow", "resource flow",
                                                         {{"implementation", ResourceFlow::Implementation},
                                                          {"hls_estimate", ResourceFlow::HlsEstimate}});
        if (r.has("bram_ports"))
            cfg.resources.bram_ports = c.as_enum<BramPorts>(r.get("bram_ports"), "resources.bram_ports",
                                                            "block RAM port mode",
                                                            {{"simple_dual", BramPorts::SimpleDual},
                                                             {"true_dual", BramPorts::TrueDual}});
    }

    YAML::Node layers = m.need("layers");
    if (!layers.IsSequence())
        c.fail(layers, "layers", "expected a sequence of layer mappings, got " + kind_of(layers));
    if (layers.size() == 0) c.fail(layers, "layers", "must contain at least one layer");

    Upstream up;
    up.shape = cfg.input.shape;
    up.enc = cfg.input.encoding();
    up.bits = cfg.input.bits;
    std::map<std::string, std::string> names;
    size_t index = 0;
    for (auto it = layers.begin(); it != layers.end(); ++it, ++index) {
        LayerConfig L = parse_layer(c, *it, index, up, default_fifo, default_reuse, names);
        if (L.is_compute()) up.acc_source = L.name;
        up.shape = L.out;
        up.enc = L.out_encoding;
        up.bits = L.out_bits;
        up.from_input = false;
        cfg.layers.push_back(std::move(L));
    }

    // Decompressor layers: the density the estimates assume; these layers and SYQ-scaled ones
    // hold their weights from the start (no host link loads them).
    index = 0;
    for (auto it = layers.begin(); it != layers.end(); ++it, ++index) {
        LayerConfig& L = cfg.layers[index];
        if (L.decompressor.enabled)
            L.decompressor.expected_density =
                cfg.weights.kind == WeightSource::Kind::Generator ? 1.0 - cfg.weights.sparsity : 1.0;
        if (cfg.host.enabled && (L.decompressor.enabled || L.scaling_factors() > 0)) {
            const char* key = L.decompressor.enabled ? "decompressor" : "scaling";
            c.fail((*it)[key], "layers[" + std::to_string(index) + "]." + key,
                   "not supported with a host: link (the weights of decompressor and SYQ layers are not loaded "
                   "over DMA channel 1); remove the host section or this field");
        }
    }

    // The simulated time must fit SystemC's 64-bit femtosecond clock.
    const std::string problem = simulated_time_problem(cfg, cfg.run.frames);
    if (!problem.empty()) {
        if (frames_node.IsDefined()) c.fail(frames_node, "run.frames", problem);
        c.fail(run_loc, "run.frames", problem + " (run.frames defaults to 2)");
    }
    if (cfg.run.watchdog_cycles == 0) {
        // The derived limit (4 x the slowest block's cycles per frame + 10,000, as the
        // accelerator computes it) is one wait of the watchdog and must fit the clock too.
        const long double derived = 4.0L * (long double)estimate_dataflow(cfg).interval_cycles + 10000.0L;
        const long double fs = derived * clock_period_fs(cfg);
        if (fs > kMaxSimulatedFs)
            c.fail(run_loc, "run.watchdog_cycles",
                   "the derived watchdog limit (4 x the slowest block's cycles per frame + 10,000 = " +
                       grouped(sat_int(derived)) + " cycles) x " + grouped(sat_int(clock_period_fs(cfg))) +
                       " fs per cycle exceeds SystemC's 64-bit clock (2^63 fs, about 9,223 s); give "
                       "run.watchdog_cycles <= " + grouped(sat_int(kMaxSimulatedFs / clock_period_fs(cfg))) +
                       " or use a faster clock");
    } else {
        const long double fs = (long double)cfg.run.watchdog_cycles * clock_period_fs(cfg);
        if (fs > kMaxSimulatedFs)
            c.fail(watchdog_node, "run.watchdog_cycles",
                   "must be at most " + to_text(sat_int(kMaxSimulatedFs / clock_period_fs(cfg))) +
                       " cycles at " + fmt_double(cfg.device.clock_mhz) +
                       " MHz: the watchdog's wait must fit SystemC's 64-bit clock (2^63 fs, about "
                       "9,223 s) (got " + to_text(i128(cfg.run.watchdog_cycles)) + ")");
    }
    return cfg;
}

}  // namespace

long double clock_period_fs(const NetworkConfig& net) {
    // The accelerator's clock is sc_time(1e15 / clock_hz, SC_FS) at a 1 fs resolution.
    return std::max(1.0L, std::round(1e15L / (long double)net.clock_hz()));
}

std::string simulated_time_problem(const NetworkConfig& net, int64_t frames) {
    const DataflowEstimate est = estimate_dataflow(net);
    const uint64_t interval = est.interval_cycles;
    const long double period = clock_period_fs(net);
    const long double total = (long double)frames * (long double)interval * period;
    if (total <= kMaxSimulatedFs) return "";
    std::string slowest;
    if (est.bottleneck < est.blocks.size()) {
        const BlockEstimate& b = est.blocks[est.bottleneck];
        slowest = b.layer.empty() ? b.role : b.layer + " " + b.role;
    }
    const long double per_frame = (long double)interval * period;
    const i128 max_frames = per_frame > kMaxSimulatedFs ? 0 : sat_int(kMaxSimulatedFs / per_frame);
    std::ostringstream os;
    os.precision(4);
    os << to_text(frames) << " frames x " << grouped(i128(interval)) << " cycles per frame (slowest block: "
       << slowest << ") x " << grouped(sat_int(period)) << " fs per cycle at " << fmt_double(net.device.clock_mhz)
       << " MHz = " << (total / 1e15L) << " s of simulated time; SystemC's clock holds at most 2^63 fs "
       << "(64-bit femtoseconds, about 9,223 s)";
    if (max_frames > 0)
        os << "; simulate at most " << grouped(max_frames) << " frames";
    else
        os << "; even one frame does not fit: use a faster clock or a smaller design";
    return os.str();
}

NetworkConfig parse_network_config(const std::string& yaml_text, const std::string& file_name,
                                   const std::map<std::string, std::string>& param_overrides,
                                   const std::string& base_dir) {
    Ctx c;
    c.file = file_name;
    YAML::Node root;
    try {
        root = load_single_document(yaml_text, c);
    } catch (const YAML::Exception& e) {
        throw ConfigError(file_name, loc_of(e.mark), "yaml", "malformed YAML: " + e.msg);
    } catch (const ConfigError&) {
        throw;
    } catch (const std::exception& e) {
        throw ConfigError(file_name, SourceLoc{}, "yaml", std::string("malformed YAML: ") + e.what());
    }
    try {
        return parse_root(c, root, param_overrides, base_dir);
    } catch (const ConfigError&) {
        throw;
    } catch (const YAML::Exception& e) {
        // Not expected (the tree is walked without throwing accessors); keep it a ConfigError.
        throw ConfigError(file_name, loc_of(e.mark), "yaml", e.msg);
    } catch (const std::exception& e) {
        throw ConfigError(file_name, SourceLoc{}, "", std::string("internal error: ") + e.what());
    }
}

NetworkConfig load_network_config(const std::string& path,
                                  const std::map<std::string, std::string>& param_overrides) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw ConfigError(path, SourceLoc{}, "",
                          "cannot read configuration file '" + path + "': it is a directory");
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        int err = errno;
        throw ConfigError(path, SourceLoc{}, "",
                          "cannot open configuration file '" + path + "': " +
                              (err ? std::strerror(err) : "unknown error"));
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    if (f.bad())
        throw ConfigError(path, SourceLoc{}, "", "cannot read configuration file '" + path + "'");
    std::string base = fs::path(path).parent_path().string();
    if (base.empty()) base = ".";
    return parse_network_config(ss.str(), path, param_overrides, base);
}

}  // namespace qsim
