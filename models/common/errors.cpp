#include "models/common/errors.hpp"

namespace qsim {

namespace {

std::string format_error(const std::string& file, const std::string& where, const std::string& field,
                         const std::string& message, const char* placeholder) {
    std::string s = file.empty() ? placeholder : file;
    if (!where.empty()) s += ":" + where;
    s += ": ";
    if (!field.empty()) s += field + ": ";
    return one_line(s + message);
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

std::string one_line(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\0': out += "\\0"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    static const char hex[] = "0123456789abcdef";
                    out += "\\x";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    return out;
}

}  // namespace qsim
