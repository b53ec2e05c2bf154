// Persistent tun/tap devices through /dev/net/tun: the kernel does not create them through
// rtnetlink. Creation is batched (tunCreateBatch: src/netlink sends one event-loop turn's taps
// in one call). Each call opens the device file inside the namespace, makes its ioctls and
// closes it on every path.
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "args.h"
#include "exports.h"
#include "thread_task.h"

namespace osvif {
namespace {

constexpr uint32_t kMaxBatch = 1024;  // src/netlink sends at most this many per call

struct Tun {
  std::string name;
  std::string netns;
  int flags = IFF_NO_PI;
  std::optional<int64_t> owner;
  std::optional<int64_t> group;
};

// The device options common to create and delete (all but netns); a refused value is returned
// as a Failure.
Failure ReadDevice(Napi::Object options, Tun& tun) {
  std::string mode = *args::String(options, "mode", true);
  if (mode != "tap" && mode != "tun") {
    throw Napi::TypeError::New(options.Env(), "mode must be 'tap' or 'tun'");
  }
  tun.flags |= mode == "tap" ? IFF_TAP : IFF_TUN;
  if (args::Boolean(options, "multiQueue")) tun.flags |= IFF_MULTI_QUEUE;
  if (tun.name.empty() || tun.name.size() >= IFNAMSIZ || tun.name.find('\0') != std::string::npos) {
    return Invalid("TUNSETIFF", "interface name must be 1 to 15 bytes, got '" + tun.name + "'");
  }
  return {};
}

// The options common to create and delete; a refused value is returned as a Failure.
Failure ReadTun(Napi::Object options, Tun& tun) {
  tun.name = *args::String(options, "name", true);
  tun.netns = args::String(options, "netns", false).value_or("");
  return ReadDevice(options, tun);
}

// Opens /dev/net/tun and attaches it to (or creates) the device; the fd, or -1 and `failure`.
int Attach(const Tun& tun, int extraFlags, Failure& failure) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    failure = Fail("open", "/dev/net/tun");
    return -1;
  }
  ifreq request{};
  std::memcpy(request.ifr_name, tun.name.data(), tun.name.size());
  request.ifr_flags = static_cast<short>(tun.flags | extraFlags);
  if (ioctl(fd, TUNSETIFF, &request) != 0) {
    failure = Fail("TUNSETIFF");
    close(fd);
    return -1;
  }
  return fd;
}

Failure Create(const Tun& tun) {
  Failure failure;
  // IFF_TUN_EXCL: fail with EBUSY when any device has this name, instead of attaching to it.
  int fd = Attach(tun, IFF_TUN_EXCL, failure);
  if (fd < 0) {
    if (failure.err == EBUSY) failure.err = EEXIST;
    return failure;
  }
  if (tun.owner && ioctl(fd, TUNSETOWNER, static_cast<unsigned long>(*tun.owner)) != 0) {
    failure = Fail("TUNSETOWNER");
  } else if (tun.group && ioctl(fd, TUNSETGROUP, static_cast<unsigned long>(*tun.group)) != 0) {
    failure = Fail("TUNSETGROUP");
  } else if (ioctl(fd, TUNSETPERSIST, 1UL) != 0) {
    failure = Fail("TUNSETPERSIST");
  }
  close(fd);  // until TUNSETPERSIST succeeded, this also removes the new device: the rollback
  return failure;
}

Failure Delete(const Tun& tun) {
  // Attaching to a name that does not exist would create a device: ENODEV instead.
  unsigned index = if_nametoindex(tun.name.c_str());
  if (index == 0) return Fail("if_nametoindex");
  Failure failure;
  int fd = Attach(tun, 0, failure);
  if (fd < 0) return failure;
  if (ioctl(fd, TUNSETPERSIST, 0UL) != 0) failure = Fail("TUNSETPERSIST");
  close(fd);  // the last fd of a device that is not persistent: the kernel removes it
  if (!failure.ok() || !(tun.flags & IFF_MULTI_QUEUE)) return failure;
  // A multi-queue device attaches every opener as one more queue, so the attach above cannot
  // tell that another process holds queues; the device outliving our close does. Make it
  // persistent again (as it was) and say EBUSY, as a single-queue device's TUNSETIFF does.
  if (if_nametoindex(tun.name.c_str()) != index) return failure;  // gone: deleted
  fd = Attach(tun, 0, failure);
  if (fd < 0) return failure.err == ENODEV || failure.err == ENOENT ? Failure{} : failure;
  // The holders may have let go in between: then the attach made a new device, which closing
  // without TUNSETPERSIST removes again.
  bool same = if_nametoindex(tun.name.c_str()) == index;
  if (same && ioctl(fd, TUNSETPERSIST, 1UL) != 0) failure = Fail("TUNSETPERSIST");
  close(fd);
  if (!failure.ok() || !same) return failure;
  return Errno(EBUSY, "TUNSETPERSIST",
               "TUNSETPERSIST: EBUSY (another process holds queues of '" + tun.name + "')");
}

// The options only a creation has.
void ReadCreateOptions(Napi::Object options, Tun& tun) {
  if (args::Boolean(options, "vnetHdr")) tun.flags |= IFF_VNET_HDR;
  tun.owner = args::Integer(options, "owner", 0, UINT32_MAX - 1);
  tun.group = args::Integer(options, "group", 0, UINT32_MAX - 1);
}

}  // namespace

Napi::Value TunCreateBatch(const Napi::CallbackInfo& info) {
  Napi::Object options = args::Options(info, 0);
  std::string netns = args::String(options, "netns", false).value_or("");
  Napi::Value list = options.Get("devices");
  // The length is read once and capped, and every element is taken before anything is sized
  // by it: a getter may grow or shrink the array while it is read.
  std::vector<Napi::Object> items = args::Elements<Napi::Object>(list, "devices", kMaxBatch);
  // Every device is read (and type-checked) before anything starts; a refused value becomes
  // that device's result and it is skipped.
  std::vector<Tun> devices(items.size());
  auto results = std::make_shared<std::vector<Failure>>(devices.size());
  for (size_t i = 0; i < items.size(); i++) {
    devices[i].name = *args::String(items[i], "name", true);
    (*results)[i] = ReadDevice(items[i], devices[i]);
    ReadCreateOptions(items[i], devices[i]);
  }
  return RunOnThread(
      info.Env(), netns,
      [devices = std::move(devices), results] {
        for (size_t i = 0; i < devices.size(); i++) {
          if ((*results)[i].ok()) (*results)[i] = Create(devices[i]);
        }
        return Failure{};
      },
      [results](Napi::Env env) -> Napi::Value {
        Napi::Array out = Napi::Array::New(env, results->size());
        for (uint32_t i = 0; i < results->size(); i++) {
          const Failure& failure = (*results)[i];
          out.Set(i, failure.ok() ? env.Null() : MakeError(env, failure).Value());
        }
        return out;
      });
}

Napi::Value TunDelete(const Napi::CallbackInfo& info) {
  Tun tun;
  Failure refused = ReadTun(args::Options(info, 0), tun);
  if (!refused.ok()) return Rejected(info.Env(), refused);
  return RunOnThread(info.Env(), tun.netns, [tun] { return Delete(tun); });
}

}  // namespace osvif
