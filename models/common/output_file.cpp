#include "models/common/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace qsim {

namespace fs = std::filesystem;

namespace {

std::string reason() { return std::strerror(errno); }

std::string directory_of(const std::string& path) {
    const std::string dir = fs::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

// Writes all of `text` to `fd`; false with errno set when it cannot.
bool write_all(int fd, const std::string& text) {
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += n;
        left -= size_t(n);
    }
    return true;
}

}  // namespace

void check_writable(const std::string& path) {
    if (path.empty()) throw OutputError(path, "cannot write: the path is empty");
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) throw OutputError(path, "cannot write: it is a directory");
        if (!S_ISREG(st.st_mode)) {  // a device or a pipe: it must open for writing
            const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) throw OutputError(path, "cannot write: " + reason());
            ::close(fd);
            return;
        }
    }
    const std::string dir = directory_of(path);
    struct stat ds {};
    if (::stat(dir.c_str(), &ds) != 0) throw OutputError(path, "cannot write: its directory " + dir + ": " + reason());
    if (!S_ISDIR(ds.st_mode)) throw OutputError(path, "cannot write: " + dir + " is not a directory");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw OutputError(path, "cannot write: its directory " + dir + ": " + reason());
    if (::stat(path.c_str(), &st) == 0 && ::access(path.c_str(), W_OK) != 0)
        throw OutputError(path, "cannot write: " + reason());
}

void write_file_atomically(const std::string& path, const std::string& text) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) throw OutputError(path, "cannot write: it is a directory");
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) throw OutputError(path, "cannot write: " + reason());
        const bool ok = write_all(fd, text);
        const std::string why = ok ? "" : reason();
        if (::close(fd) != 0 && ok) throw OutputError(path, "cannot write: " + reason());
        if (!ok) throw OutputError(path, "cannot write: " + why);
        return;
    }
    std::string tmp = fs::path(path).string() + ".tmp.XXXXXX";
    std::vector<char> name(tmp.begin(), tmp.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) throw OutputError(path, "cannot write: a temporary file beside it: " + reason());
    tmp = name.data();
    auto fail = [&](const std::string& what) {
        const std::string why = what + reason();
        ::close(fd);
        ::unlink(tmp.c_str());
        throw OutputError(path, "cannot write: " + why);
    };
    if (!write_all(fd, text)) fail("");
    if (::fsync(fd) != 0) fail("");
    // Readable like any file the user creates (mkstemp makes it 0600).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    if (::close(fd) != 0) {
        const std::string why = reason();
        ::unlink(tmp.c_str());
        throw OutputError(path, "cannot write: " + why);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = reason();
        ::unlink(tmp.c_str());
        throw OutputError(path, "cannot write: " + why);
    }
}

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
    std::string tmp = path_ + ".tmp.XXXXXX";
    std::vector<char> name(tmp.begin(), tmp.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) throw OutputError(path_, "cannot write: a temporary file beside it: " + reason());
    ::close(fd);
    tmp_ = name.data();
    out_ = std::make_unique<std::ofstream>(tmp_, std::ios::binary | std::ios::trunc);
    if (!*out_) {
        ::unlink(tmp_.c_str());
        throw OutputError(path_, "cannot write: " + tmp_);
    }
}

AtomicFileWriter::~AtomicFileWriter() {
    if (!committed_) {
        out_.reset();
        ::unlink(tmp_.c_str());
    }
}

void AtomicFileWriter::commit() {
    out_->flush();
    const bool ok = bool(*out_);
    out_->close();
    if (!ok || out_->fail()) throw OutputError(path_, "cannot write: " + tmp_ + " (a write failed; disk full?)");
    const int fd = ::open(tmp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(fd, 0666 & ~mask);
        ::close(fd);
    }
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw OutputError(path_, "cannot write: " + reason());
    committed_ = true;
}

bool same_file(const std::string& a, const std::string& b) {
    struct stat sa {}, sb {};
    if (a.empty() || b.empty() || ::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace qsim
