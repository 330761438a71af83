#include "sim/sweep/checkpoint.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace qsim::sweep {

namespace {

constexpr size_t kBatchBytes = 1 << 20;  // analytical points are flushed about every megabyte

std::string why() { return std::strerror(errno); }

// The length of the file's complete lines: everything up to and including its last newline.
off_t complete_length(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return -1;
    off_t end = st.st_size;
    char buf[4096];
    while (end > 0) {
        const off_t start = std::max<off_t>(0, end - off_t(sizeof buf));
        const ssize_t n = ::pread(fd, buf, size_t(end - start), start);
        if (n <= 0) return -1;
        for (ssize_t i = n; i-- > 0;)
            if (buf[i] == '\n') return start + i + 1;
        end = start;
    }
    return 0;
}

}  // namespace

CheckpointWriter::CheckpointWriter(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + why());
    // A record an interruption cut short is dropped before anything is appended after it.
    const off_t keep = complete_length(fd_);
    if (keep < 0 || ::ftruncate(fd_, keep) != 0 || ::lseek(fd_, keep, SEEK_SET) < 0) {
        const std::string w = why();
        ::close(fd_);
        throw std::runtime_error("cannot prepare " + path + " for appending: " + w);
    }
}

CheckpointWriter::~CheckpointWriter() {
    try {
        flush();
    } catch (const std::exception&) {
        // A destructor may not throw; the next run redoes what was not written.
    }
    if (fd_ >= 0) ::close(fd_);
}

void CheckpointWriter::append(const PointResult& r) {
    buffer_ += to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    buffer_ += '\n';
    if (buffer_.size() >= kBatchBytes) flush();
}

void CheckpointWriter::flush() {
    const char* p = buffer_.data();
    size_t left = buffer_.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            const std::string w = why();
            buffer_.erase(0, buffer_.size() - left);
            throw std::runtime_error("cannot write " + path_ + ": " + w);
        }
        p += n;
        left -= size_t(n);
    }
    buffer_.clear();
}

void for_each_record(const std::string& path, const std::function<void(PointResult&&)>& f) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return;
    std::string line;
    uint64_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        const bool last_cut_short = in.eof();  // no newline after it
        if (line.empty()) continue;
        try {
            f(from_json(nlohmann::json::parse(line)));
        } catch (const nlohmann::json::exception&) {
            if (last_cut_short) return;
            throw std::runtime_error(path + ":" + std::to_string(number) + ": a damaged record: " + line.substr(0, 80));
        }
    }
}

void for_each_record_in_order(const std::string& path, const std::function<void(const PointResult&)>& f) {
    // Where each point's last record starts; one pass when the file is already in order.
    std::vector<std::pair<uint64_t, uint64_t>> where;  // (index, byte offset)
    {
        std::ifstream in(path, std::ios::binary);
        if (!in) return;
        std::string line;
        uint64_t offset = 0, number = 0;
        while (std::getline(in, line)) {
            const uint64_t start = offset;
            offset += line.size() + 1;
            ++number;
            if (line.empty()) continue;
            const size_t key = line.find("\"index\":");
            if (key == std::string::npos) {
                if (in.eof()) break;  // the last record, cut short
                throw std::runtime_error(path + ":" + std::to_string(number) + ": a damaged record: " + line.substr(0, 80));
            }
            where.push_back({std::strtoull(line.c_str() + key + 8, nullptr, 10), start});
        }
    }
    std::stable_sort(where.begin(), where.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // The last record of a point wins (a point redone after an interruption).
    std::vector<std::pair<uint64_t, uint64_t>> unique;
    for (const auto& w : where) {
        if (!unique.empty() && unique.back().first == w.first)
            unique.back() = w;
        else
            unique.push_back(w);
    }
    std::ifstream in(path, std::ios::binary);
    std::string line;
    for (const auto& [index, offset] : unique) {
        in.clear();
        in.seekg(std::streamoff(offset));
        if (!std::getline(in, line)) break;
        const bool last_cut_short = in.eof();
        try {
            f(from_json(nlohmann::json::parse(line)));
        } catch (const nlohmann::json::exception&) {
            if (last_cut_short) continue;
            throw std::runtime_error(path + ": a damaged record of point " + std::to_string(index) + ": " +
                                     line.substr(0, 80));
        }
    }
}

void make_output_directory(const std::string& dir) {
    std::error_code ec;
    const std::filesystem::file_status st = std::filesystem::status(dir, ec);
    if (std::filesystem::exists(st) && !std::filesystem::is_directory(st))
        throw std::runtime_error(dir + ": cannot be the output directory: it exists and is not a directory");
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error(dir + ": cannot create the output directory: " + ec.message());
}

DirectoryLock::DirectoryLock(const std::string& dir) {
    const std::string path = dir + "/.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + why());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd_);
        if (err == EWOULDBLOCK)
            throw std::runtime_error(dir + " is in use by another sweep (it holds " + path +
                                     "); wait for it to finish or give another --out");
        throw std::runtime_error("cannot lock " + path + ": " + std::strerror(err));
    }
}

DirectoryLock::~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace qsim::sweep
