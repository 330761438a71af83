// The builders the field tables (field_tables*.cpp) are written with: a row of a value,
// field(key, &Spec::member), of a section, section(key, &Spec::member, table), or of a special
// kind, and a table of rows. Private to the tables' files.
#pragma once

#include <memory>
#include <type_traits>

#include "sim/design/fields.hpp"

namespace qsim::design::tables {

template <class T> constexpr ValueKind kind_of();
template <> inline constexpr ValueKind kind_of<int>() { return ValueKind::Integer; }
template <> inline constexpr ValueKind kind_of<int64_t>() { return ValueKind::Integer64; }
template <> inline constexpr ValueKind kind_of<uint64_t>() { return ValueKind::Unsigned; }
template <> inline constexpr ValueKind kind_of<double>() { return ValueKind::Number; }
template <> inline constexpr ValueKind kind_of<bool>() { return ValueKind::Boolean; }
template <> inline constexpr ValueKind kind_of<std::string>() { return ValueKind::Text; }
template <> inline constexpr ValueKind kind_of<Padding>() { return ValueKind::Padding; }
template <> inline constexpr ValueKind kind_of<ListValue>() { return ValueKind::List; }

// A row under construction: field(...).range(...).def(...).means(...).
struct RowBuilder {
    Row row;
    RowBuilder& range(Range r) { row.range = r; return *this; }
    RowBuilder& required() { row.required = true; return *this; }
    RowBuilder& def(std::string text) { row.default_text = std::move(text); return *this; }
    RowBuilder& means(std::string text) { row.meaning = std::move(text); return *this; }
    RowBuilder& types(unsigned t) { row.types = t; return *this; }
    RowBuilder& unless(WhyNot w) { row.why_not = std::move(w); return *this; }
    operator Row() const { return row; }  // NOLINT: the tables list builders
};

template <class S, class T>
RowBuilder field(const char* key, Given<T> S::*m) {
    RowBuilder b;
    b.row.key = key;
    b.row.value = [m](void* owner) -> GivenBase* { return &(static_cast<S*>(owner)->*m); };
    if constexpr (std::is_enum_v<T>) {
        b.row.kind = ValueKind::Choice;
        b.row.what = EnumText<T>::what;
        b.row.choices = enum_names<T>();
        b.row.set_choice = [](GivenBase* g, std::string_view text) {
            const auto v = enum_from_text<T>(text);
            if (v) static_cast<Given<T>*>(g)->value = *v;
            return v.has_value();
        };
        b.row.choice_text = [](const GivenBase* g) { return to_string(static_cast<const Given<T>*>(g)->value); };
    } else {
        b.row.kind = kind_of<T>();
    }
    return b;
}

template <class S, class Sub>
RowBuilder section(const char* key, Sub S::*m, const Table& sub) {
    RowBuilder b;
    b.row.key = key;
    b.row.kind = ValueKind::Mapping;
    b.row.sub = &sub;
    b.row.section = [m](void* owner) -> SectionSpec* { return &(static_cast<S*>(owner)->*m); };
    b.row.sub_owner = [m](void* owner) -> void* { return &(static_cast<S*>(owner)->*m); };
    return b;
}

inline RowBuilder special(const char* key, ValueKind kind, const Table* sub = nullptr) {
    RowBuilder b;
    b.row.key = key;
    b.row.kind = kind;
    b.row.sub = sub;
    return b;
}

template <class S>
Table table(std::string name, std::string title, std::vector<Row> rows, std::string discriminator = "") {
    return Table{std::move(name), std::move(title), std::move(discriminator), std::move(rows),
                 [] { return std::shared_ptr<void>(std::make_shared<S>()); }};
}

}  // namespace qsim::design::tables
