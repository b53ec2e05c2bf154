// Named network namespaces, made as iproute2's `ip netns add/del` makes them: a file
// /run/netns/NAME with the namespace bind-mounted on it, in a directory that is a shared mount
// point so an unmount propagates to every mount namespace. Only names are taken, never paths:
// these calls run as root and must not unlink or detach anything outside /run/netns.
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "args.h"
#include "exports.h"
#include "thread_task.h"

namespace osvif {
namespace {

constexpr const char* kNetnsDir = "/run/netns";

// A file name in /run/netns: 1 to 255 bytes, no '/', not '.' or '..', no control characters
// or spaces (as src/netlink's check); refused with EINVAL before any system call.
Failure CheckName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 255 && name != "." && name != "..";
  for (unsigned char c : name) ok = ok && c > ' ' && c != '/' && c != 0x7f;
  if (ok) return {};
  return Invalid("open", "netns name must be a file name under /run/netns (no '/', no spaces, "
                         "not '.' or '..', at most 255 bytes), got '" + name + "'");
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
  Failure failure = ShareDirectory(kNetnsDir);
  if (!failure.ok()) return failure;
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0) return Fail("open", path);
  close(fd);
  // The raw system call, not gettid(): glibc has that wrapper only from 2.30, and the prebuilds
  // promise glibc 2.28.
  long tid = syscall(SYS_gettid);
  std::string self = "/proc/self/task/" + std::to_string(tid) + "/ns/net";
  if (unshare(CLONE_NEWNET) != 0) {
    failure = Fail("unshare");
  } else if (mount(self.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
    failure = Fail("mount", path);
  }
  if (!failure.ok()) unlink(path.c_str());  // roll back the file this call made
  return failure;
}

Failure Delete(const std::string& path) {
  // What the entry itself is (O_PATH | O_NOFOLLOW: nothing is opened for reading, a symlink
  // is not followed). Only a namespace file is unmounted, and without following a symlink;
  // anything else in the directory (a leftover file, a symlink) is only unlinked.
  int fd = open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Fail("open", path);
  struct statfs fs {};
  bool nsfs = fstatfs(fd, &fs) == 0 && fs.f_type == NSFS_MAGIC;
  close(fd);
  if (nsfs && umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL) {
    return Fail("umount2", path);
  }
  if (unlink(path.c_str()) != 0) return Fail("unlink", path);
  return {};
}

// The name argument, and its file under /run/netns; a refused name rejects the call.
std::string NameArgument(const Napi::CallbackInfo& info, Failure& refused) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "name must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  refused = CheckName(name);
  return std::string(kNetnsDir) + "/" + name;
}

}  // namespace

Napi::Value NetnsCreate(const Napi::CallbackInfo& info) {
  Failure refused;
  std::string path = NameArgument(info, refused);
  if (!refused.ok()) return Rejected(info.Env(), refused);
  return RunOnThread(info.Env(), "", [path] { return Create(path); });
}

Napi::Value NetnsDelete(const Napi::CallbackInfo& info) {
  Failure refused;
  std::string path = NameArgument(info, refused);
  if (!refused.ok()) return Rejected(info.Env(), refused);
  return RunOnThread(info.Env(), "", [path] { return Delete(path); });
}

}  // namespace osvif
