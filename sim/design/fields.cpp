#include "sim/design/fields.hpp"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "sim/design/text.hpp"

namespace qsim::design {

// ---------------------------------------------------------------------------------------
// Ranges

Range Range::at_least(int64_t lo) { return {Kind::Integer, lo, INT64_MAX}; }
Range Range::between(int64_t lo, int64_t hi) { return {Kind::Integer, lo, hi}; }

std::string Range::text() const {
    switch (kind) {
        case Kind::None: return "";
        case Kind::Integer:
            return hi >= INT_MAX ? ">= " + std::to_string(lo) : std::to_string(lo) + ".." + std::to_string(hi);
        case Kind::Positive: return "> 0";
        case Kind::NonNegative: return ">= 0";
        case Kind::UnitInterval: return "[0, 1)";
    }
    return "";
}

std::optional<std::string> Range::check(int64_t v) const {
    if (kind != Kind::Integer) return check(double(v));
    if (v >= lo && v <= hi) return std::nullopt;
    if (hi >= INT_MAX) return "must be >= " + std::to_string(lo) + " (got " + std::to_string(v) + ")";
    return "must be in " + std::to_string(lo) + ".." + std::to_string(hi) + " (got " + std::to_string(v) + ")";
}

std::optional<std::string> Range::check(double v) const {
    switch (kind) {
        case Kind::Positive:
            if (!(v > 0)) return "must be > 0 (got " + number_text(v) + ")";
            break;
        case Kind::NonNegative:
            if (!(v >= 0)) return "must be >= 0 (got " + number_text(v) + ")";
            break;
        case Kind::UnitInterval:
            if (!(v >= 0.0 && v < 1.0)) return "must be in [0, 1) (got " + number_text(v) + ")";
            break;
        case Kind::Integer: return check(int64_t(v));
        case Kind::None: break;
    }
    return std::nullopt;
}

unsigned layer_type_bit(LayerType t) {
    switch (t) {
        case LayerType::Conv: return kConv;
        case LayerType::Fc: return kFc;
        case LayerType::MaxPool: return kMaxPool;
        case LayerType::GlobalMaxPool: return kGlobalMaxPool;
        case LayerType::Add: return kAdd;
        case LayerType::Concat: return kConcat;
        case LayerType::GlobalAvgPool: return kGlobalAvgPool;
        case LayerType::AvgPool: return kAvgPool;
        case LayerType::TopK: return kTopK;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------
// Row access

bool Row::is_given(const void* owner) const {
    if (section) return section(const_cast<void*>(owner))->given;
    return value ? value(const_cast<void*>(owner))->given : false;
}

Origin Row::origin(const void* owner) const {
    if (section) return section(const_cast<void*>(owner))->at;
    return value ? value(const_cast<void*>(owner))->at : Origin{};
}

std::optional<std::string> Row::not_allowed(const void* owner, const LayerSpec* layer) const {
    if (layer && !(types & layer_type_bit(layer->type.value)))
        return "not allowed for type '" + std::string(to_string(layer->type.value)) + "'";
    if (why_not) return why_not(owner, layer);
    return std::nullopt;
}

std::string Row::value_text(const void* owner) const {
    switch (kind) {
        case ValueKind::Integer: return std::to_string(get<int>(owner).value);
        case ValueKind::Integer64: return std::to_string(get<int64_t>(owner).value);
        case ValueKind::Unsigned: return std::to_string(get<uint64_t>(owner).value);
        case ValueKind::Number: return number_text(get<double>(owner).value);
        case ValueKind::Boolean: return get<bool>(owner).value ? "true" : "false";
        case ValueKind::Text: return get<std::string>(owner).value;
        case ValueKind::Choice: return choice_text(value(const_cast<void*>(owner)));
        case ValueKind::Padding: {
            const Padding& p = get<Padding>(owner).value;
            if (p.mode == Padding::Mode::Same) return "same";
            if (p.begin == p.end) return std::to_string(p.begin);
            return "[" + std::to_string(p.begin) + ", " + std::to_string(p.end) + "]";
        }
        case ValueKind::List: return "[" + join(get<ListValue>(owner).value) + "]";
        default: return "";
    }
}

std::string Row::type_text() const {
    switch (kind) {
        case ValueKind::Integer:
        case ValueKind::Integer64: return "integer";
        case ValueKind::Unsigned: return "unsigned integer";
        case ValueKind::Number: return "number";
        case ValueKind::Boolean: return "boolean";
        case ValueKind::Text: return "string";
        case ValueKind::Choice: {
            std::string out;
            size_t start = 0;
            while (start <= choices.size()) {
                const size_t comma = choices.find(", ", start);
                const std::string name = choices.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                out += (out.empty() ? "`" : ", `") + name + "`";
                if (comma == std::string::npos) break;
                start = comma + 2;
            }
            return out;
        }
        case ValueKind::Padding: return "integer, [before, after], `same` or `valid`";
        case ValueKind::List: return "a value or a list [a, b, ...]";
        case ValueKind::Mapping:
            // A section one scalar may stand for: the values of its (Choice) rows, or the mapping.
            return sub && sub->scalar_sets_all && !sub->rows.empty() ? sub->rows.front().type_text() + " or a mapping"
                                                                     : "mapping";
        case ValueKind::Sequence: return "sequence of mappings";
        case ValueKind::Params: return "mapping of names to scalars";
    }
    return "";
}

const Row* Table::find(std::string_view key) const {
    for (const Row& r : rows)
        if (r.key == key) return &r;
    return nullptr;
}

std::string Table::keys(const void* owner, const LayerSpec* layer) const {
    std::vector<std::string> out;
    for (const Row& r : rows)
        if (!owner || !r.not_allowed(owner, layer)) out.push_back(r.key);
    return join(out);
}

// ---------------------------------------------------------------------------------------
// Parsing values

bool is_integer_text(const std::string& t, bool allow_minus) {
    size_t i = 0;
    if (i < t.size() && (t[i] == '+' || (allow_minus && t[i] == '-'))) ++i;
    if (i == t.size()) return false;
    for (; i < t.size(); ++i)
        if (t[i] < '0' || t[i] > '9') return false;
    return true;
}

namespace {

std::optional<std::string> parse_integer(const std::string& t, const std::string& shown, bool wide, int64_t& out) {
    if (!is_integer_text(t, true)) return "expected an integer, got " + shown;
    errno = 0;
    const long long v = std::strtoll(t.c_str(), nullptr, 10);
    if (errno == ERANGE || (!wide && (v > INT_MAX || v < INT_MIN)))
        return std::string("expected an integer that fits in ") + (wide ? "64" : "32") + " bits, got " + shown;
    out = v;
    return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_number(const std::string& t, const std::string& shown, double& out) {
    const bool plausible = !t.empty() && t.find_first_of("xXpP") == std::string::npos &&
                           !std::isspace(static_cast<unsigned char>(t.front()));
    char* end = nullptr;
    errno = 0;
    const double v = plausible ? std::strtod(t.c_str(), &end) : 0.0;
    if (!plausible || end == t.c_str() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
        return "expected a number, got " + shown;
    out = v;
    return std::nullopt;
}

std::optional<std::string> parse_padding_element(Padding& p, int element, const std::string& text,
                                                 const std::string& shown) {
    int64_t v = 0;
    if (auto e = parse_integer(text, shown, false, v)) return e;
    if (v < 0) return "must be >= 0 (got " + std::to_string(v) + ")";
    (element == 0 ? p.begin : p.end) = int(v);
    return std::nullopt;
}

std::optional<std::string> parse_value(const Row& row, void* owner, const std::string& t, Origin at,
                                       const std::string& shown) {
    GivenBase* g = row.value ? row.value(owner) : nullptr;
    if (!g) return "cannot be set as a single value";
    switch (row.kind) {
        case ValueKind::Integer:
        case ValueKind::Integer64: {
            int64_t v = 0;
            if (auto e = parse_integer(t, shown, row.kind == ValueKind::Integer64, v)) return e;
            if (row.kind == ValueKind::Integer)
                row.get<int>(owner).value = int(v);
            else
                row.get<int64_t>(owner).value = v;
            break;
        }
        case ValueKind::Unsigned: {
            if (!is_integer_text(t, false)) {
                const int64_t lo = row.range.kind == Range::Kind::Integer ? row.range.lo : 0;
                if (is_integer_text(t, true)) return "must be >= " + std::to_string(lo) + " (got " + t + ")";
                return "expected a non-negative integer, got " + shown;
            }
            errno = 0;
            const unsigned long long v = std::strtoull(t.c_str(), nullptr, 10);
            if (errno == ERANGE) return "expected an integer that fits in 64 bits, got " + shown;
            row.get<uint64_t>(owner).value = v;
            break;
        }
        case ValueKind::Number: {
            double v = 0;
            if (auto e = parse_number(t, shown, v)) return e;
            row.get<double>(owner).value = v;
            break;
        }
        case ValueKind::Boolean:
            if (t != "true" && t != "false") return "expected true or false, got " + shown;
            row.get<bool>(owner).value = t == "true";
            break;
        case ValueKind::Text: row.get<std::string>(owner).value = t; break;
        case ValueKind::Choice:
            if (!row.set_choice(g, t)) return "unknown " + row.what + " " + shown + "; expected one of: " + row.choices;
            break;
        case ValueKind::Padding: {
            Padding p;
            if (t == "same") {
                p.mode = Padding::Mode::Same;
            } else if (t == "valid") {
            } else if (is_integer_text(t, true)) {
                if (auto e = parse_padding_element(p, 0, t, shown)) return e;
                p.end = p.begin;
            } else if (t.size() > 2 && t.front() == '[' && t.back() == ']' && t.find(',') != std::string::npos) {
                // "[before, after]" as an override writes it.
                const std::string inner = t.substr(1, t.size() - 2);
                const size_t comma = inner.find(',');
                auto trim = [](std::string s) {
                    const size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
                    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
                };
                const std::string a = trim(inner.substr(0, comma)), b = trim(inner.substr(comma + 1));
                if (auto e = parse_padding_element(p, 0, a, "'" + a + "'")) return e;
                if (auto e = parse_padding_element(p, 1, b, "'" + b + "'")) return e;
            } else {
                return "expected an integer >= 0, [before, after], 'same' or 'valid', got " + shown;
            }
            row.get<Padding>(owner).value = p;
            break;
        }
        case ValueKind::List: {
            // "a", "[a, b]" (as an override writes it) or "[a b]" (a sweep axis, whose values are
            // separated by commas); the items are checked by the rules.
            std::string inner = t;
            if (inner.size() >= 2 && inner.front() == '[' && inner.back() == ']') inner = inner.substr(1, inner.size() - 2);
            ListValue items;
            std::string item;
            bool after_comma = false;
            for (size_t i = 0; i <= inner.size(); ++i) {
                const char ch = i < inner.size() ? inner[i] : ' ';
                if (ch == ',' || ch == ' ') {
                    if (!item.empty()) items.push_back(item);
                    else if (ch == ',' && (after_comma || items.empty()))
                        return "expected a value or a list [a, b, ...] without empty items, got " + shown;
                    if (!item.empty() || ch == ',') after_comma = ch == ',';
                    item.clear();
                } else {
                    item += ch;
                    after_comma = false;
                }
            }
            if (items.empty() || after_comma)
                return "expected a value or a list [a, b, ...] without empty items, got " + shown;
            row.get<ListValue>(owner).value = std::move(items);
            break;
        }
        default: return "cannot be set as a single value";
    }
    g->given = true;
    g->at = at;
    return std::nullopt;
}

}  // namespace qsim::design
