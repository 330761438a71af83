// Fuzz entry (e): the IDX data-set reader (models/dataset/idx_dataset.hpp), shared by the
// libFuzzer target idx_fuzz.cpp and the regression test. Expected errors are DatasetError.
//
// The bytes are read as a file (plain, or gzip when they start with its magic) by each way the
// simulator reads one: header only, the first two items, all of them, and the whole file
// decoded in memory. What they agree on is checked: the header's count and sizes, the items of
// a partial read being the first items of the whole, the whole read as the in-memory parse.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/dataset/idx_dataset.hpp"
#include "testbenches/fuzz/fuzz_entry.hpp"

namespace qsim::fuzz {

template <class F>
auto dataset_or_nothing(F f) -> std::optional<decltype(f())> {
    try {
        return f();
    } catch (const DatasetError&) {
        return std::nullopt;
    }
}

inline void check_images(const std::string& path) {
    const auto header = dataset_or_nothing([&] { return read_idx_image_header(path); });
    const auto two = dataset_or_nothing([&] { return read_idx_images(path, 2); });
    const auto all = dataset_or_nothing([&] { return read_idx_images(path); });
    const auto parsed = dataset_or_nothing([&] { return parse_idx_images(read_gzip_file(path), path); });
    if (bool(all) != bool(parsed)) throw std::logic_error("read_idx_images and parse_idx_images disagree on success");
    if ((two || all) && !header) throw std::logic_error("images read where the header is refused");
    if (all && !two) throw std::logic_error("the whole file reads but not its first two images");
    for (const IdxImages* im : {two ? &*two : nullptr, all ? &*all : nullptr, parsed ? &*parsed : nullptr}) {
        if (!im) continue;
        if (uint64_t(im->rows) != header->rows || uint64_t(im->cols) != header->cols)
            throw std::logic_error("images of another size than the header's");
        if (im->pixels.size() != size_t(im->count) * size_t(im->rows) * size_t(im->cols))
            throw std::logic_error("pixel count is not count x rows x cols");
    }
    if (all) {
        if (uint64_t(all->count) != header->count) throw std::logic_error("a whole read of another count than the header's");
        if (all->pixels != parsed->pixels) throw std::logic_error("read_idx_images and parse_idx_images read other pixels");
        if (two) {
            if (two->count != std::min(all->count, 2)) throw std::logic_error("a read of two items gives another count");
            if (!std::equal(two->pixels.begin(), two->pixels.end(), all->pixels.begin()))
                throw std::logic_error("the first two images differ from the whole read's");
        }
    }
}

inline void check_labels(const std::string& path) {
    const auto header = dataset_or_nothing([&] { return read_idx_label_header(path); });
    const auto two = dataset_or_nothing([&] { return read_idx_labels(path, 2); });
    const auto all = dataset_or_nothing([&] { return read_idx_labels(path); });
    const auto parsed = dataset_or_nothing([&] { return parse_idx_labels(read_gzip_file(path), path); });
    if (bool(all) != bool(parsed)) throw std::logic_error("read_idx_labels and parse_idx_labels disagree on success");
    if ((two || all) && !header) throw std::logic_error("labels read where the header is refused");
    if (all && !two) throw std::logic_error("the whole file reads but not its first two labels");
    if (all) {
        if (uint64_t(all->count()) != header->count) throw std::logic_error("a whole read of another count than the header's");
        if (all->labels != parsed->labels) throw std::logic_error("read_idx_labels and parse_idx_labels read other labels");
        if (two && (two->count() != std::min(all->count(), 2) ||
                    !std::equal(two->labels.begin(), two->labels.end(), all->labels.begin())))
            throw std::logic_error("the first two labels differ from the whole read's");
    }
}

inline void run_idx(const uint8_t* data, size_t size) {
    static ScratchFile scratch(".idx");
    const std::string& path = scratch.write(std::vector<uint8_t>(data, data + size));
    check_images(path);
    check_labels(path);
}

}  // namespace qsim::fuzz
