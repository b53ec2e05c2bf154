// Named network namespaces, made as iproute2's `ip netns add/del` makes them: a file (usually
// /run/netns/NAME) with the namespace bind-mounted on it, in a directory that is a shared mount
// point so an unmount propagates to every mount namespace.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "args.h"
#include "exports.h"
#include "thread_task.h"

namespace osvif {
namespace {

Failure CheckPath(const std::string& path) {
  bool ok = path.size() > 1 && path[0] == '/' && path.back() != '/' &&
            path.find('\0') == std::string::npos;
  if (ok) return {};
  return Invalid("open", "netns path must be an absolute file path, got '" + path + "'");
}

// mkdir DIR; make DIR a shared mount point, bind-mounting it on itself once if it is none.
Failure ShareDirectory(const std::string& dir) {
  static std::mutex once;  // two creates at a time must not both stack a bind mount
  std::lock_guard<std::mutex> lock(once);
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Fail("mkdir", dir);
  bool bound = false;
  while (mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    // EINVAL: not a mount point yet.
    if (errno != EINVAL || bound) return Fail("mount", dir);
    if (mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
      return Fail("mount", dir);
    }
    bound = true;
  }
  return {};
}

// On a thread of its own that ends afterwards: it leaves with the new namespace.
Failure Create(const std::string& path) {
  std::string dir = path.substr(0, path.rfind('/'));
  Failure failure = ShareDirectory(dir.empty() ? "/" : dir);
  if (!failure.ok()) return failure;
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return Fail("open", path);
  close(fd);
  std::string self = "/proc/self/task/" + std::to_string(gettid()) + "/ns/net";
  if (unshare(CLONE_NEWNET) != 0) {
    failure = Fail("unshare");
  } else if (mount(self.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
    failure = Fail("mount", path);
  }
  if (!failure.ok()) unlink(path.c_str());  // roll back the file this call made
  return failure;
}

Failure Delete(const std::string& path) {
  // EINVAL: the file is not a mount point (a leftover): still remove it.
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL) return Fail("umount2", path);
  if (unlink(path.c_str()) != 0) return Fail("unlink", path);
  return {};
}

std::string PathArgument(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "path must be a string");
  return info[0].As<Napi::String>().Utf8Value();
}

}  // namespace

Napi::Value NetnsCreate(const Napi::CallbackInfo& info) {
  std::string path = PathArgument(info);
  Failure refused = CheckPath(path);
  if (!refused.ok()) return Rejected(info.Env(), refused);
  return RunOnThread(info.Env(), "", [path] { return Create(path); });
}

Napi::Value NetnsDelete(const Napi::CallbackInfo& info) {
  std::string path = PathArgument(info);
  Failure refused = CheckPath(path);
  if (!refused.ok()) return Rejected(info.Env(), refused);
  return RunOnThread(info.Env(), "", [path] { return Delete(path); });
}

}  // namespace osvif
