// The YAML tree is walked by hand (never through YAML::Node::operator[] on a missing key, never
// through as<T>()) so that every problem names the line and column of the node involved and
// the dotted path of the field.
#include "sim/design/yaml_front_end.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "sim/design/fields.hpp"
#include "sim/design/text.hpp"

namespace qsim::design {

namespace {

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

SourceLoc loc_of(const YAML::Mark& m) {
    if (m.is_null() || m.line < 0 || m.column < 0) return {};
    return {m.line + 1, m.column + 1};
}

bool valid_param_name(const std::string& s) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
                        (i > 0 && ch >= '0' && ch <= '9');
        if (!ok) return false;
    }
    return true;
}

// What a value of a kind is called in "expected X, got Y".
std::string expected_text(const Row& row) {
    switch (row.kind) {
        case ValueKind::Integer:
        case ValueKind::Integer64: return "an integer";
        case ValueKind::Unsigned: return "a non-negative integer";
        case ValueKind::Number: return "a number";
        case ValueKind::Boolean: return "true or false";
        case ValueKind::Text: return "a string";
        case ValueKind::Choice: return row.what;
        case ValueKind::Padding: return "an integer >= 0, [before, after], 'same' or 'valid'";
        case ValueKind::List: return "a value or a list of values";
        default: return "a value";
    }
}

// One file being read: its source index, the parameters, and the positions of empty values.
class Reader {
public:
    Reader(NetworkSpec& spec, int source) : spec_(spec), source_(source) {}

    std::map<std::string, std::string> params;
    std::vector<std::string> param_names;  // in declaration order

    const std::string& file() const { return spec_.sources[size_t(source_)].text; }

    Origin origin(SourceLoc loc) const { return {source_, loc.line, loc.column}; }
    Origin origin(const YAML::Node& n) const { return origin(loc_for(n)); }

    [[noreturn]] void fail(SourceLoc loc, const std::string& field, const std::string& msg) const {
        throw ConfigError(file(), loc, field, msg);
    }
    [[noreturn]] void fail(const YAML::Node& n, const std::string& field, const std::string& msg) const {
        fail(loc_for(n), field, msg);
    }

    // An empty value (`key:` with nothing after it) carries the position of whatever token
    // follows it, often on the next line; such a value is reported at its key instead.
    void remember_null_value(const YAML::Node& value, SourceLoc key_loc) { null_values_.push_back({value, key_loc}); }
    SourceLoc loc_for(const YAML::Node& n) const {
        if (n.IsDefined() && n.IsNull())
            for (const auto& [node, loc] : null_values_)
                if (node.is(n)) return loc;
        return n.IsDefined() ? loc_of(n.Mark()) : SourceLoc{};
    }

    std::string declared_list() const {
        if (param_names.empty()) return "no parameters are declared under 'params'";
        return "declared parameters: " + join(param_names);
    }

    // The scalar's text with every ${NAME} replaced. Fails if `n` is not a scalar.
    std::string scalar(const YAML::Node& n, const std::string& path, const std::string& expected) const {
        if (!n.IsScalar()) fail(n, path, "expected " + expected + ", got " + kind_of(n));
        const std::string& s = n.Scalar();
        std::string out;
        size_t i = 0;
        for (;;) {
            const size_t p = s.find("${", i);
            if (p == std::string::npos) {
                out.append(s, i, std::string::npos);
                break;
            }
            out.append(s, i, p - i);
            const size_t q = s.find('}', p + 2);
            if (q == std::string::npos) fail(n, path, "unterminated '${' in '" + s + "'; expected ${NAME}");
            const std::string name = s.substr(p + 2, q - p - 2);
            const auto it = params.find(name);
            if (it == params.end()) fail(n, path, "unknown parameter '${" + name + "}'; " + declared_list());
            out += it->second;
            i = q + 1;
        }
        if (out.find('\0') != std::string::npos)
            fail(n, path, "expected " + expected + ", got a value with a NUL byte: " + shown(n, out));
        return out;
    }

    // "'text'" plus, when substitution changed it, where it came from.
    static std::string shown(const YAML::Node& n, const std::string& text) {
        std::string s = "'" + text + "'";
        if (n.IsScalar() && n.Scalar() != text) s += " (from '" + n.Scalar() + "')";
        return s;
    }

private:
    NetworkSpec& spec_;
    int source_;
    std::vector<std::pair<YAML::Node, SourceLoc>> null_values_;
};

// A mapping node, its keys checked once (scalar, unique), with lookups that never modify the tree.
class MapView {
public:
    struct Entry {
        std::string key;
        YAML::Node key_node;
        YAML::Node value;
    };

    // A null node (`run:` with nothing after it) is an empty mapping.
    MapView(Reader& r, const YAML::Node& n, std::string path) : path_(std::move(path)) {
        if (n.IsNull()) return;
        if (!n.IsMap()) r.fail(n, path_, "expected a mapping, got " + kind_of(n));
        for (auto it = n.begin(); it != n.end(); ++it) {
            const YAML::Node k = it->first;
            const YAML::Node v = it->second;
            if (!k.IsScalar()) r.fail(k, path_, "field names must be plain words, got " + kind_of(k));
            const std::string& key = k.Scalar();
            for (const auto& e : entries_)
                if (e.key == key)
                    r.fail(k, sub(key),
                           "duplicate field '" + key + "' (first given at line " +
                               std::to_string(loc_of(e.key_node.Mark()).line) + ")");
            if (v.IsNull()) r.remember_null_value(v, loc_of(k.Mark()));
            entries_.push_back({key, k, v});
        }
    }

    const std::vector<Entry>& entries() const { return entries_; }
    std::string sub(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
    const Entry* find(const std::string& key) const {
        for (const auto& e : entries_)
            if (e.key == key) return &e;
        return nullptr;
    }

private:
    std::string path_;
    std::vector<Entry> entries_;
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
YAML::Node load_single_document(const std::string& text, const std::string& file) {
    YAML::Node root = YAML::Load(text);
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCounter counter;
    for (;;) {
        const int before = counter.furthest;
        if (!parser.HandleNextDocument(counter) || counter.furthest <= before) break;
    }
    if (counter.documents > 1)
        throw ConfigError(file, loc_of(counter.second), "yaml",
                          "expected a single YAML document, found " + std::to_string(counter.documents));
    return root;
}

// How deep yaml-cpp nests before it stops (its DepthGuard).
constexpr int kMaxYamlDepth = 500;


// ---------------------------------------------------------------------------------------
// Sections by their tables.

void read_section(Reader& r, const YAML::Node& node, const std::string& path, const Table& t, void* owner,
                  SectionSpec* sec, const LayerSpec* layer);

void read_value(Reader& r, const Row& row, const YAML::Node& v, const std::string& path, void* owner) {
    if (row.kind == ValueKind::Padding && v.IsSequence()) {
        if (v.size() != 2) r.fail(v, path, "expected [before, after] with 2 entries, got " + std::to_string(v.size()));
        Padding p;
        for (int i = 0; i < 2; ++i) {
            const std::string ep = path + "[" + std::to_string(i) + "]";
            const std::string text = r.scalar(v[i], ep, "an integer");
            if (auto e = parse_padding_element(p, i, text, Reader::shown(v[i], text))) r.fail(v[i], ep, *e);
        }
        row.get<Padding>(owner).set(p, r.origin(v));
        return;
    }
    if (row.kind == ValueKind::List && v.IsSequence()) {
        if (v.size() == 0) r.fail(v, path, "expected at least one entry, got an empty list");
        ListValue items;
        for (size_t i = 0; i < v.size(); ++i) {
            const std::string ep = path + "[" + std::to_string(i) + "]";
            items.push_back(r.scalar(v[i], ep, "a value"));
            if (items.back().empty()) r.fail(v[i], ep, "expected a value, got an empty string");
        }
        row.get<ListValue>(owner).set(std::move(items), r.origin(v));
        return;
    }
    const std::string text = r.scalar(v, path, expected_text(row));
    if (auto e = parse_value(row, owner, text, r.origin(v), Reader::shown(v, text))) r.fail(v, path, *e);
}

// A section written as one scalar (`ram_style: block`): every row of its table takes it.
void read_scalar_section(Reader& r, const Row& row, const YAML::Node& v, const std::string& path, void* owner) {
    SectionSpec* sec = row.section(owner);
    sec->given = true;
    sec->at = r.origin(v);
    void* sub = row.sub_owner(owner);
    for (const Row& field : row.sub->rows) read_value(r, field, v, path, sub);
}

void read_layers(Reader& r, NetworkSpec& spec, const YAML::Node& v) {
    if (!v.IsSequence()) r.fail(v, "layers", "expected a sequence of layer mappings, got " + kind_of(v));
    spec.layers_at.given = true;
    spec.layers_at.at = r.origin(v);
    size_t index = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++index) {
        const std::string lpath = "layers[" + std::to_string(index) + "]";
        const YAML::Node item = *it;
        if (!item.IsMap()) r.fail(item, lpath, "expected a mapping (one layer), got " + kind_of(item));
        spec.layers.emplace_back();
        LayerSpec& L = spec.layers.back();
        read_section(r, item, lpath, layer_table(), &L, &L, &L);
    }
}

void read_section(Reader& r, const YAML::Node& node, const std::string& path, const Table& t, void* owner,
                  SectionSpec* sec, const LayerSpec* layer) {
    MapView m(r, node, path);
    if (sec) {
        sec->given = true;
        sec->at = r.origin(node);
    }
    // The key whose value decides which others apply (a layer's type, the weights' quant).
    const MapView::Entry* first = t.discriminator.empty() ? nullptr : m.find(t.discriminator);
    if (first) read_value(r, *t.find(t.discriminator), first->value, m.sub(first->key), owner);
    // Which keys apply is known once the layer's type and the discriminator are.
    const bool known = (layer == nullptr || layer->type.given) && (t.discriminator.empty() || first != nullptr);
    for (const auto& e : m.entries()) {
        if (&e == first) continue;
        const Row* row = t.find(e.key);
        if (!row)
            r.fail(e.key_node, m.sub(e.key),
                   "unknown field '" + e.key + "'; expected one of: " + t.keys(known ? owner : nullptr, layer));
        if (known)
            if (auto why = row->not_allowed(owner, layer)) r.fail(e.key_node, m.sub(e.key), *why);
        const std::string fpath = m.sub(e.key);
        switch (row->kind) {
            case ValueKind::Params: break;  // read before everything else
            case ValueKind::Sequence: read_layers(r, *static_cast<NetworkSpec*>(owner), e.value); break;
            case ValueKind::Mapping:
                if (row->sub->scalar_sets_all && e.value.IsScalar()) {
                    read_scalar_section(r, *row, e.value, fpath, owner);
                    break;
                }
                read_section(r, e.value, fpath, *row->sub, row->sub_owner(owner), row->section(owner), layer);
                break;
            default: read_value(r, *row, e.value, fpath, owner);
        }
    }
    if (&t == &weight_source_table()) {
        const MapView::Entry* file = m.find("file");
        if (file && m.find("generator")) r.fail(file->key_node, "weights", "give exactly one of 'generator' or 'file', not both");
    }
}

void read_params(Reader& r, const MapView& root, const std::map<std::string, std::string>& overrides) {
    if (const MapView::Entry* e = root.find("params")) {
        MapView pm(r, e->value, "params");
        for (const auto& p : pm.entries()) {
            const std::string path = "params." + p.key;
            if (!valid_param_name(p.key))
                r.fail(p.key_node, path,
                       "parameter names must start with a letter or '_' and use only letters, digits and '_' (got '" +
                           p.key + "')");
            if (!p.value.IsScalar()) r.fail(p.value, path, "expected a scalar value, got " + kind_of(p.value));
            r.params[p.key] = p.value.Scalar();
            r.param_names.push_back(p.key);
        }
    }
    for (const auto& [name, value] : overrides) {
        const auto it = r.params.find(name);
        if (it == r.params.end())
            r.fail(SourceLoc{}, "params." + name, "cannot override undeclared parameter '" + name + "'; " + r.declared_list());
        it->second = value;
    }
}

// The device library: every entry read by device_entry_table(); what goes wrong inside it is
// kept for derive_design, which reports it only when the library is needed.
void read_device_library(NetworkSpec& spec, bool given) {
    DeviceLibrarySpec& lib = spec.device_library;
    lib.path = resolve_path(spec.base_dir, spec.device.library.value);
    std::string text;
    if (!given && !std::filesystem::exists(lib.path)) {
        lib.problem = std::string("No such file or directory");
        return;
    }
    if (!read_small_file(lib.path, kMaxDeviceLibraryBytes, "a device library", text, lib.problem)) return;
    const int source = spec.add_source(lib.path, true);
    Reader r(spec, source);
    try {
        const YAML::Node doc = load_yaml_document(text, r.file(), " in device library");
        static const std::string kShape = "a device library: a mapping with the field 'devices'";
        if (!doc.IsDefined() || doc.IsNull()) r.fail(SourceLoc{1, 1}, "", "empty document; expected " + kShape);
        if (!doc.IsMap()) r.fail(doc, "", "expected " + kShape + ", got " + kind_of(doc));
        MapView root(r, doc, "");
        for (const auto& e : root.entries())
            if (e.key != "devices") r.fail(e.key_node, e.key, "unknown field '" + e.key + "'; expected one of: devices");
        const MapView::Entry* d = root.find("devices");
        if (!d) r.fail(doc, "devices", "missing required field");
        if (!d->value.IsMap() && !d->value.IsNull())
            r.fail(d->value, "devices",
                   "expected a mapping from device names to {family, lut, ff, bram18, bram36, dsp, lutram, uram}, got " + kind_of(d->value));
        lib.devices_at.given = true;
        lib.devices_at.at = r.origin(d->value);
        MapView devices(r, d->value, "devices");
        for (const auto& e : devices.entries()) {
            const std::string path = "devices." + e.key;
            if (!e.value.IsMap())
                r.fail(e.value, path,
                       "expected a mapping with the fields family, lut, ff, bram18 (or bram36), dsp (and optional lutram, uram), got " +
                           kind_of(e.value));
            lib.devices.emplace_back();
            DeviceEntrySpec& entry = lib.devices.back();
            entry.name = e.key;
            entry.name_at = r.origin(e.key_node);
            read_section(r, e.value, path, device_entry_table(), &entry, &entry, nullptr);
        }
    } catch (const ConfigError& err) {
        lib.errors.push_back({err.field(), {source, err.loc().line, err.loc().column}, err.message()});
    }
}

}  // namespace

YAML::Node load_yaml_document(const std::string& text, const std::string& file, const std::string& what) {
    try {
        return load_single_document(text, file);
    } catch (const YAML::DeepRecursion& e) {
        throw ConfigError(file, loc_of(e.mark), "yaml",
                          "malformed YAML" + what + ": mappings and sequences nested more than " +
                              std::to_string(kMaxYamlDepth) + " levels deep");
    } catch (const YAML::Exception& e) {
        throw ConfigError(file, loc_of(e.mark), "yaml", "malformed YAML" + what + ": " + e.msg);
    } catch (const ConfigError&) {
        throw;
    } catch (const std::exception& e) {
        throw ConfigError(file, SourceLoc{}, "yaml", "malformed YAML" + what + ": " + e.what());
    }
}

bool read_small_file(const std::string& path, uintmax_t max_bytes, const char* what, std::string& text,
                     std::string& why) {
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
            why = "it has " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) + " " +
                  what + " may have";
            return false;
        }
    }
    errno = 0;
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        const int err = errno;
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

std::string resolve_path(const std::string& base_dir, const std::string& p) {
    namespace fs = std::filesystem;
    const fs::path fp(p);
    if (fp.is_absolute() || base_dir.empty() || base_dir == ".") return p;
    return (fs::path(base_dir) / fp).string();
}

NetworkSpec parse_yaml_spec(const std::string& text, const std::string& file_name,
                            const std::map<std::string, std::string>& params, const std::string& base_dir) {
    NetworkSpec spec;
    spec.file = file_name;
    spec.base_dir = base_dir;
    const int source = spec.add_source(file_name, true);
    Reader r(spec, source);
    const YAML::Node root = load_yaml_document(text, r.file(), "");
    try {
        static const std::string kTop = "a mapping with the fields name, device, input and layers";
        if (!root.IsDefined() || root.IsNull()) r.fail(SourceLoc{1, 1}, "", "empty document; expected " + kTop);
        if (!root.IsMap()) r.fail(root, "", "expected " + kTop + ", got " + kind_of(root));
        MapView m(r, root, "");
        read_params(r, m, params);
        spec.params = r.param_names;
        read_section(r, root, "", network_table(), &spec, &spec.root, nullptr);
    } catch (const YAML::Exception& e) {
        // Not expected (the tree is walked without throwing accessors); keep it a ConfigError.
        throw ConfigError(file_name, loc_of(e.mark), "yaml", e.msg);
    }
    read_device_library(spec, spec.device.library.given);
    return spec;
}

NetworkSpec read_yaml_spec(const std::string& path, const std::map<std::string, std::string>& params) {
    std::string text, why;
    if (!read_small_file(path, kMaxConfigBytes, "a configuration file", text, why)) {
        const bool open_problem = why != "it is a directory" && why != "it is not a regular file" &&
                                  why.rfind("it has ", 0) != 0;
        throw ConfigError(path, SourceLoc{}, "",
                          std::string(open_problem ? "cannot open" : "cannot read") + " configuration file '" + path +
                              "': " + why);
    }
    std::string base = std::filesystem::path(path).parent_path().string();
    if (base.empty()) base = ".";
    return parse_yaml_spec(text, path, params, base);
}

}  // namespace qsim::design
