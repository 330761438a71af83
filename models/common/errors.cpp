#include "models/common/errors.hpp"

namespace qsim {

namespace {

std::string format_error(const std::string& file, const std::string& where, const std::string& field,
                         const std::string& message, const char* placeholder) {
    std::string s = file.empty() ? placeholder : file;
    if (!where.empty()) s += ":" + where;
    s += ": ";
    if (!field.empty()) s += field + ": ";
    return s + message;
}

std::string loc_text(SourceLoc loc) {
    if (loc.line <= 0) return "";
    return std::to_string(loc.line) + (loc.column > 0 ? ":" + std::to_string(loc.column) : "");
}

}  // namespace

InputError::InputError(std::string file, std::string where, std::string field, std::string message,
                       const char* placeholder)
    : std::runtime_error(format_error(file, where, field, message, placeholder)),
      file_(std::move(file)),
      where_(std::move(where)),
      field_(std::move(field)),
      message_(std::move(message)) {}

ConfigError::ConfigError(std::string file, SourceLoc loc, std::string field, std::string message)
    : InputError(std::move(file), loc_text(loc), std::move(field), std::move(message), "<config>"), loc_(loc) {}

std::string byte_offset_text(uint64_t offset) { return "@" + std::to_string(offset); }

}  // namespace qsim
