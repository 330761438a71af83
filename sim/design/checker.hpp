// What derive.cpp and derive_layer.cpp share: recording violations and the table-driven checks
// (fields that do not apply, required fields, ranges).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/design/fields.hpp"
#include "sim/design/spec.hpp"

namespace qsim::design {

// Thrown by Checker::fail() after recording: the step that broke a rule stops there.
struct Stop {};

class Checker {
public:
    Checker(const NetworkSpec& spec, std::vector<Violation>& out) : spec_(spec), out_(out) {}

    const NetworkSpec& spec() const { return spec_; }

    [[noreturn]] void fail(std::string field, Origin at, std::string message) {
        out_.push_back({std::move(field), at, std::move(message)});
        throw Stop{};
    }
    // The origin of a value: where it was given, else `fallback` (its section, usually).
    static Origin where(const GivenBase& g, Origin fallback) { return g.given ? g.at : fallback; }
    // Line 1 of the configuration file, where a problem with no better position is reported.
    Origin file_start() const { return {0, 1, 1}; }

    // Every row of `t` in `owner` (a section at `path`, of `layer`): a given field that does
    // not apply, a required one missing (reported at `section_at`; with `required` false left
    // to the caller, which checks them where its rules need them), a value out of its range.
    // Sub-sections that were given are checked the same way.
    void check_section(const Table& t, const void* owner, const std::string& path, Origin section_at,
                       const LayerSpec* layer, bool required = true);

private:
    const NetworkSpec& spec_;
    std::vector<Violation>& out_;
};

}  // namespace qsim::design
