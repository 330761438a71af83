// The one text of every enumerator, as configuration files, reports and messages spell it.
// Each enum has exactly one table, a specialisation of EnumText beside the enum:
//
//   template <> struct EnumText<LayerType> {
//       static constexpr const char* what = "layer type";   // for "unknown layer type 'x'"
//       static constexpr std::pair<LayerType, const char*> names[] = {{LayerType::Conv, "conv"}, ...};
//   };
//
// and everything else (to_string, parsing a name, the list of names in messages and in
// docs/config.md) reads that table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace qsim {

template <class E>
struct EnumText;  // specialised once per enum

template <class E, class = void>
struct has_enum_text : std::false_type {};
template <class E>
struct has_enum_text<E, std::void_t<decltype(EnumText<E>::names)>> : std::true_type {};

// The enumerator's name ("?" for a value outside the table).
template <class E, std::enable_if_t<has_enum_text<E>::value, int> = 0>
const char* to_string(E e) {
    for (const auto& [value, name] : EnumText<E>::names)
        if (value == e) return name;
    return "?";
}

// The enumerator named `text`, or nothing.
template <class E>
std::optional<E> enum_from_text(std::string_view text) {
    for (const auto& [value, name] : EnumText<E>::names)
        if (text == name) return value;
    return std::nullopt;
}

// "a, b, c": every name in table order, joined by `sep`.
template <class E>
std::string enum_names(const char* sep = ", ") {
    std::string out;
    for (const auto& [value, name] : EnumText<E>::names) {
        if (!out.empty()) out += sep;
        out += name;
    }
    return out;
}

}  // namespace qsim
