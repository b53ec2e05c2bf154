// Files under a namespace's own /proc/sys/net. The kernel resolves /proc/sys/net by the
// network namespace of the thread that opens the file, so the open happens on a thread inside
// the namespace.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "args.h"
#include "exports.h"
#include "thread_task.h"

namespace osvif {
namespace {

constexpr size_t kMaxRead = 1 << 20;
constexpr uint32_t kMaxBatch = 1024;  // src/netlink sends at most this many per call

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

// Several reads and writes on ONE thread that enters the namespace once (src/netlink coalesces
// the sysctls of one event-loop turn): a thread per file cost more than the files themselves.
// Each entry gets its own result: null (written), the text (read), or its NativeError.
Napi::Value SysctlBatch(const Napi::CallbackInfo& info) {
  struct Entry {
    std::string path;
    std::optional<std::string> value;
    std::string text;
    Failure failure;
  };
  Napi::Object options = args::Options(info, 0);
  std::string netns = args::String(options, "netns", false).value_or("");
  // every entry is read (and type-checked) before anything starts; a refused path becomes that
  // entry's result and it is skipped
  std::vector<Napi::Object> items = args::Elements<Napi::Object>(options.Get("entries"), "entries", kMaxBatch);
  auto entries = std::make_shared<std::vector<Entry>>(items.size());
  for (size_t i = 0; i < items.size(); i++) {
    Entry& e = (*entries)[i];
    e.path = *args::String(items[i], "path", true);
    e.value = args::String(items[i], "value", false);
    e.failure = CheckPath(e.path);
  }
  return RunOnThread(
      info.Env(), netns,
      [entries] {
        for (Entry& e : *entries) {
          if (!e.failure.ok()) continue;
          std::string file = "/proc/sys/net/" + e.path;
          e.failure = e.value ? WriteFile(file, *e.value) : ReadFile(file, e.text);
        }
        return Failure{};
      },
      [entries](Napi::Env env) -> Napi::Value {
        Napi::Array out = Napi::Array::New(env, entries->size());
        for (uint32_t i = 0; i < entries->size(); i++) {
          const Entry& e = (*entries)[i];
          if (!e.failure.ok()) out.Set(i, MakeError(env, e.failure).Value());
          else if (e.value) out.Set(i, env.Null());
          else out.Set(i, Napi::String::New(env, e.text));
        }
        return out;
      });
}

}  // namespace osvif
