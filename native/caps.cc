// Capabilities of the calling thread, for the helper (src/helper/privileges.ts). Linux keeps
// capability sets per thread, so these calls act on the thread that makes them (the event loop
// thread); the helper then execs itself from that same thread, and the kernel computes the new
// program's sets from this thread's bounding, inheritable and ambient sets. Every thread of the
// new program therefore starts with the reduced sets.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "args.h"
#include "errors.h"
#include "privsep.h"

namespace osvif {
namespace {

constexpr int kMaxCap = 63;
constexpr uint32_t kMaxStrings = 4096;
constexpr size_t kMaxStringBytes = 1 << 20;

[[noreturn]] void ThrowFailure(Napi::Env env, const Failure& failure) {
  throw MakeError(env, failure);
}

int CapGet(__user_cap_data_struct data[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return static_cast<int>(syscall(SYS_capget, &header, data));
}

int CapSet(__user_cap_data_struct data[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return static_cast<int>(syscall(SYS_capset, &header, data));
}

bool Has(const __user_cap_data_struct data[2], int cap) {
  return (data[cap / 32].permitted >> (cap % 32)) & 1u;
}

// Reads the strings of a JS array into C++ before anything else happens: the length is read
// once and capped, and each element must already be a string (no getters run twice).
std::vector<std::string> Strings(Napi::Value value, const char* what) {
  if (!value.IsArray()) throw Napi::TypeError::New(value.Env(), std::string(what) + " must be an array");
  Napi::Array array = value.As<Napi::Array>();
  uint32_t length = array.Length();
  if (length > kMaxStrings) {
    throw Napi::TypeError::New(value.Env(), std::string(what) + " has too many entries");
  }
  std::vector<std::string> out;
  out.reserve(length);
  size_t total = 0;
  for (uint32_t i = 0; i < length; i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) {
      throw Napi::TypeError::New(value.Env(), std::string(what) + " must hold strings only");
    }
    std::string text = item.As<Napi::String>().Utf8Value();
    total += text.size() + 1;
    if (text.find('\0') != std::string::npos || total > kMaxStringBytes) {
      throw Napi::TypeError::New(value.Env(), std::string(what) + " holds a NUL or is too long");
    }
    out.push_back(std::move(text));
  }
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

// capsRestrict(keep): on the calling thread, set no_new_privs, drop every capability but `keep`
// from the bounding set, clear the ambient set, and set permitted = effective = {keep},
// inheritable = {}. Throws EPERM when `keep` is not permitted or the bounding set cannot be
// reduced (no CAP_SETPCAP); what was already done stays done (it only ever removes privilege).
Napi::Value CapsRestrict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int keep = static_cast<int>(args::Integer(info[0], "capability", 0, kMaxCap));
  __user_cap_data_struct data[2] = {};
  if (CapGet(data) != 0) ThrowFailure(env, Fail("capget"));
  if (!Has(data, keep)) {
    ThrowFailure(env, Errno(EPERM, "capget",
                            "capget: EPERM (capability " + std::to_string(keep) +
                                " is not in this thread's permitted set)"));
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ThrowFailure(env, Fail("prctl"));
  for (int cap = 0; cap <= kMaxCap; cap++) {
    if (cap == keep) continue;
    int present = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (present < 0) break;  // EINVAL: past the kernel's last capability
    if (present == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      int err = errno;
      ThrowFailure(env, Failure{err, "prctl", "",
                                "prctl PR_CAPBSET_DROP " + std::to_string(cap) +
                                    ": reducing the bounding set needs CAP_SETPCAP"});
    }
  }
  // EINVAL: a kernel without ambient capabilities (before 4.3) has none to clear.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    ThrowFailure(env, Fail("prctl"));
  }
  __user_cap_data_struct next[2] = {};
  next[keep / 32].permitted = next[keep / 32].effective = 1u << (keep % 32);
  if (CapSet(next) != 0) ThrowFailure(env, Fail("capset"));
  return env.Undefined();
}

// execSelf(file, argv, env): execve from the calling thread, keeping the standard streams.
// Returns only by throwing.
Napi::Value ExecSelf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "file must be a string");
  std::string file = info[0].As<Napi::String>().Utf8Value();
  std::vector<std::string> argv = Strings(info[1], "argv");
  std::vector<std::string> envp = Strings(info[2], "env");
  if (argv.empty()) throw Napi::TypeError::New(env, "argv must not be empty");
  std::vector<char*> argvp = Pointers(argv);
  std::vector<char*> envpp = Pointers(envp);
  // Node marks the standard streams close-on-exec; the new program keeps them.
  for (int fd = 0; fd <= 2; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  execve(file.c_str(), argvp.data(), envpp.data());
  ThrowFailure(env, Fail("execve", file));
}

}  // namespace osvif
