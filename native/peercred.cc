// The credentials of a connected unix socket's peer (SO_PEERCRED, SO_PEERGROUPS): the kernel
// records them at connect() time, so they name the process that connected, whatever it did
// afterwards.
#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <vector>

#include "args.h"
#include "errors.h"
#include "privsep.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59  // asm-generic/socket.h, Linux 4.13
#endif

namespace osvif {
namespace {

constexpr size_t kMaxGroups = 65536;  // NGROUPS_MAX

// The peer's supplementary groups; empty on a kernel without SO_PEERGROUPS.
Failure PeerGroups(int fd, std::vector<gid_t>& groups) {
  groups.resize(32);
  for (;;) {
    socklen_t length = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &length) == 0) {
      groups.resize(length / sizeof(gid_t));
      return {};
    }
    if (errno == ENOPROTOOPT) {
      groups.clear();
      return {};
    }
    // ERANGE: `length` now holds the size needed
    size_t needed = length / sizeof(gid_t);
    if (errno != ERANGE || needed <= groups.size() || needed > kMaxGroups) return Fail("getsockopt");
    groups.resize(needed);
  }
}

}  // namespace

// peerCredentials(fd) -> { pid, uid, gid, groups }. Throws a NativeError (EBADF, ENOTSOCK, ...).
Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(args::Integer(info[0], "fd", 0, INT32_MAX));
  struct ucred cred {};
  socklen_t length = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
    throw MakeError(env, Fail("getsockopt"));
  }
  if (length != sizeof cred) throw MakeError(env, Errno(EINVAL, "getsockopt"));
  std::vector<gid_t> groups;
  Failure failure = PeerGroups(fd, groups);
  if (!failure.ok()) throw MakeError(env, failure);
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  Napi::Array list = Napi::Array::New(env, groups.size());
  for (size_t i = 0; i < groups.size(); i++) list.Set(static_cast<uint32_t>(i), Napi::Number::New(env, groups[i]));
  out.Set("groups", list);
  return out;
}

}  // namespace osvif
