// Files under a namespace's own /proc/sys/net. The kernel resolves /proc/sys/net by the
// network namespace of the thread that opens the file, so the open happens on a thread inside
// the namespace.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "args.h"
#include "exports.h"
#include "thread_task.h"

namespace osvif {
namespace {

constexpr size_t kMaxRead = 1 << 20;

// The path relative to /proc/sys/net, refused when it could leave that directory.
Failure CheckPath(const std::string& path) {
  bool escapes = path.empty() || path[0] == '/' || path.find('\0') != std::string::npos;
  std::istringstream components(path);
  for (std::string component; !escapes && std::getline(components, component, '/');) {
    escapes = component == "..";
  }
  if (!escapes) return {};
  return Invalid("open", "sysctl path must be relative to /proc/sys/net without '..', got '" +
                            path + "'");
}

Failure WriteFile(const std::string& file, const std::string& value) {
  int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Fail("open", file);
  Failure failure;
  ssize_t written;
  do {
    written = write(fd, value.data(), value.size());
  } while (written < 0 && errno == EINTR);
  if (written < 0) {
    failure = Fail("write", file);
  } else if (static_cast<size_t>(written) != value.size()) {
    std::string message = "write " + file + ": EIO (the kernel took only part of the value)";
    failure = Failure{EIO, "write", file, message};
  }
  if (close(fd) != 0 && failure.ok()) failure = Fail("close", file);
  return failure;
}

Failure ReadFile(const std::string& file, std::string& text) {
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail("open", file);
  Failure failure;
  char chunk[4096];
  while (text.size() < kMaxRead) {
    ssize_t got = read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) failure = Fail("read", file);
    if (got <= 0) break;
    text.append(chunk, static_cast<size_t>(got));
  }
  close(fd);
  return failure;
}

// A file of the namespace's own /proc/net (only a plain name such as ip_tables_names). The
// thread's own view, /proc/thread-self/net: /proc/self/net would show the main thread's namespace.
Failure CheckProcNetName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (ok) return {};
  return Invalid("open", "a /proc/net file name is lower-case letters, digits and '_', got '" + name + "'");
}

}  // namespace

Napi::Value ProcNetRead(const Napi::CallbackInfo& info) {
  Napi::Object options = args::Options(info, 0);
  std::string netns = args::String(options, "netns", false).value_or("");
  std::string name = *args::String(options, "name", true);
  Failure refused = CheckProcNetName(name);
  if (!refused.ok()) return Rejected(info.Env(), refused);
  auto text = std::make_shared<std::string>();
  return RunOnThread(
      info.Env(), netns, [name, text] { return ReadFile("/proc/thread-self/net/" + name, *text); },
      [text](Napi::Env env) { return Napi::String::New(env, *text); });
}

Napi::Value SysctlWrite(const Napi::CallbackInfo& info) {
  Napi::Object options = args::Options(info, 0);
  std::string netns = args::String(options, "netns", false).value_or("");
  std::string path = *args::String(options, "path", true);
  std::string value = *args::String(options, "value", true);
  Failure refused = CheckPath(path);
  if (!refused.ok()) return Rejected(info.Env(), refused);
  return RunOnThread(info.Env(), netns,
                     [path, value] { return WriteFile("/proc/sys/net/" + path, value); });
}

Napi::Value SysctlRead(const Napi::CallbackInfo& info) {
  Napi::Object options = args::Options(info, 0);
  std::string netns = args::String(options, "netns", false).value_or("");
  std::string path = *args::String(options, "path", true);
  Failure refused = CheckPath(path);
  if (!refused.ok()) return Rejected(info.Env(), refused);
  auto text = std::make_shared<std::string>();
  return RunOnThread(
      info.Env(), netns, [path, text] { return ReadFile("/proc/sys/net/" + path, *text); },
      [text](Napi::Env env) { return Napi::String::New(env, *text); });
}

}  // namespace osvif
