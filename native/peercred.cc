// The credentials of a connected unix socket's peer (SO_PEERCRED): the kernel records them at
// connect() time, so they name the process that connected, whatever it did afterwards.
#include <sys/socket.h>
#include <sys/types.h>

#include "args.h"
#include "errors.h"
#include "privsep.h"

namespace osvif {

// peerCredentials(fd) -> { pid, uid, gid }. Throws a NativeError (EBADF, ENOTSOCK, ...) on failure.
Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(args::Integer(info[0], "fd", 0, INT32_MAX));
  struct ucred cred {};
  socklen_t length = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
    throw MakeError(env, Fail("getsockopt"));
  }
  if (length != sizeof cred) throw MakeError(env, Errno(EINVAL, "getsockopt"));
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  return out;
}

}  // namespace osvif
