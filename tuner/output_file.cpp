#include "tuner/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <variant>

#include <fmt/format.h>

#include "tuner/errors.hpp"

namespace tkbench {
namespace {
namespace fs = std::filesystem;

WriteFailure bad_path(const fs::path& user, std::string_view reason) {
  return {WriteFailure::Kind::bad_path, fmt::format("cannot write {}: {}", user.string(), reason)};
}
WriteFailure write_failed(const fs::path& user, int error) {
  return {WriteFailure::Kind::write_failed, fmt::format("cannot write {}: {}", user.string(), std::strerror(error))};
}

// Where the bytes go, and how.
struct Destination {
  fs::path file;          // the user's path, or the end of its chain of symlinks
  bool in_place = false;  // a device or FIFO: opened and written, never replaced
};

std::string_view what_it_is(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a folder; name a file in it";
  if (S_ISBLK(mode)) return "it is a block device, not a file";
  if (S_ISSOCK(mode)) return "it is a socket, not a file";
  return "it is not a regular file";
}

// The nearest existing folder above `file` must be a folder: the rest is created.
std::optional<WriteFailure> check_parents(const fs::path& user, const fs::path& file) {
  for (fs::path dir = file.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0)
      return S_ISDIR(st.st_mode) ? std::nullopt : std::optional(bad_path(user, fmt::format("{} is not a folder", dir.string())));
    if (errno != ENOENT && errno != ENOTDIR) return write_failed(user, errno);
    if (dir == dir.parent_path()) break;  // the root
  }
  return std::nullopt;
}

std::variant<Destination, WriteFailure> resolve(const fs::path& user) {
  if (user.empty()) return bad_path(user, "the path is empty");
  struct stat st {};
  if (::stat(user.c_str(), &st) == 0) {
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return Destination{user, true};
    if (!S_ISREG(st.st_mode)) return bad_path(user, what_it_is(st.st_mode));
  } else if (errno == ENOTDIR) {
    if (auto failure = check_parents(user, user)) return *failure;
    return bad_path(user, std::strerror(ENOTDIR));
  } else if (errno == ELOOP) {
    return bad_path(user, std::strerror(ELOOP));
  } else if (errno != ENOENT) {
    return write_failed(user, errno);
  }
  // A regular file or nothing yet, perhaps behind symlinks: the new file goes
  // where the last link points, so the link stays a link.
  fs::path file = user;
  for (int hops = 0;; ++hops) {
    struct stat link {};
    if (::lstat(file.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) break;
    if (hops == 40) return bad_path(user, std::strerror(ELOOP));
    std::error_code ec;
    fs::path target = fs::read_symlink(file, ec);
    if (ec) return write_failed(user, ec.value());
    file = target.is_absolute() ? target : file.parent_path() / target;
    // /dev/stdout -> /proc/self/fd/1 -> a file the shell opened: write what the
    // shell opened (as `>` would), never rename over it.
    if (file.string().rfind("/proc/", 0) == 0) return Destination{user, true};
  }
  if (auto failure = check_parents(user, file)) return *failure;
  return Destination{file, false};
}

// 0, or the errno of the failed write.
int write_all(int fd, std::string_view data) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return 0;
}

std::optional<WriteFailure> write_in_place(const fs::path& user, std::string_view data) {
  int fd = ::open(user.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return write_failed(user, errno);
  int error = write_all(fd, data);
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error) return write_failed(user, error);
  return std::nullopt;
}

std::optional<WriteFailure> replace_atomically(const fs::path& user, const fs::path& file, std::string_view data) {
  static std::atomic<unsigned> counter{0};
  if (file.has_parent_path()) {  // a bare name lives in the working folder, which exists
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec) return write_failed(user, ec.value());
  }
  fs::path tmp = file;
  tmp += fmt::format(".tmp.{}.{}", ::getpid(), counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return write_failed(user, errno);
  // The replacement keeps the permissions of the file it replaces.
  if (struct stat old {}; ::stat(file.c_str(), &old) == 0) ::fchmod(fd, old.st_mode & 07777);
  int error = write_all(fd, data);  // ENOSPC on a full disk
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(tmp.c_str(), file.c_str()) != 0) error = errno;
  if (error) {
    ::unlink(tmp.c_str());
    return write_failed(user, error);
  }
  return std::nullopt;
}

}  // namespace

void WriteFailure::raise(std::string_view addendum) const {
  std::string text = message + std::string(addendum);
  if (kind == Kind::bad_path) throw InputError(text);
  throw EnvironmentError(text);
}

std::optional<WriteFailure> try_write_output_file(const fs::path& path, std::string_view data) {
  auto where = resolve(path);
  if (auto* failure = std::get_if<WriteFailure>(&where)) return *failure;
  const auto& destination = std::get<Destination>(where);
  return destination.in_place ? write_in_place(path, data) : replace_atomically(path, destination.file, data);
}

void write_output_file(const fs::path& path, std::string_view data) {
  if (auto failure = try_write_output_file(path, data)) failure->raise();
}

void check_output_path(const fs::path& path) {
  auto where = resolve(path);
  if (auto* failure = std::get_if<WriteFailure>(&where); failure && failure->kind == WriteFailure::Kind::bad_path) failure->raise();
}

}  // namespace tkbench
