#include "exports.h"

#include <linux/netlink.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "args.h"
#include "errors.h"
#include "thread_task.h"

namespace osvif {
namespace {

// What is asked for when the caller does not say (the kernel doubles it for its accounting):
// room for the answers of about a thousand small requests in flight. src/netlink sizes it
// from its own limit on requests in flight.
constexpr int kDefaultRcvbuf = 1 << 20;
constexpr uint32_t kMaxGroups = 32;       // more than any protocol's caller joins at open
constexpr size_t kScratch = 64 << 10;     // > 32 KiB, so the kernel fills dump datagrams fully
// One readiness pass reads at most this much, then lets timers and other I/O run; the poll is
// level-triggered, so the rest comes on the next turn of the loop.
constexpr uint32_t kPassDatagrams = 256;
constexpr size_t kPassBytes = 1 << 20;

// What the namespace thread opened, handed to the event loop thread.
struct Opened {
  int fd = -1;
  uint32_t portId = 0;
  uint32_t peer = 0;     // the only sender accepted (0: the kernel)
  int receiveBuffer = 0;  // SO_RCVBUF as the kernel reports it (twice what was asked for)
  std::set<uint32_t> groups;
  ~Opened() {
    if (fd >= 0) close(fd);  // only when the socket object never took it
  }
};

Failure OpenSocket(int protocol, int rcvbuf, uint32_t peer, const std::vector<uint32_t>& groups,
                   Opened& out) {
  out.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  if (out.fd < 0) return Fail("socket");
  int fd = out.fd;
  // SO_RCVBUFFORCE may exceed net.core.rmem_max but needs CAP_NET_ADMIN.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
    return Fail("setsockopt");
  }
  socklen_t size = sizeof out.receiveBuffer;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &out.receiveBuffer, &size) != 0) {
    return Fail("getsockopt");
  }
  int on = 1;
  // NETLINK_PKTINFO: each datagram says which multicast group it came to (0: unicast).
  for (int option : {NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK, NETLINK_PKTINFO}) {
    if (setsockopt(fd, SOL_NETLINK, option, &on, sizeof on) != 0) return Fail("setsockopt");
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return Fail("bind");
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return Fail("getsockname");
  }
  out.portId = address.nl_pid;
  // Connected to its peer (the kernel), the socket refuses unicast datagrams from any other
  // port (ECONNREFUSED for the sender): a process in the namespace cannot forge answers.
  // Multicast is not filtered by connect: ReceiveOne drops what any other port sent.
  sockaddr_nl target{};
  target.nl_family = AF_NETLINK;
  target.nl_pid = peer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) return Fail("connect");
  out.peer = peer;
  for (uint32_t group : groups) {
    if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
      return Fail("setsockopt");
    }
    out.groups.insert(group);
  }
  return {};
}

// One sendmsg to the kernel (port 0); 0 or errno.
int SendDatagram(int fd, std::vector<uint8_t>& datagram) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  iovec iov{datagram.data(), datagram.size()};
  msghdr message{};
  message.msg_name = &kernel;
  message.msg_namelen = sizeof kernel;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  for (;;) {
    if (sendmsg(fd, &message, 0) >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

class NetlinkSocket;

// A socket's libuv handles. They may outlive the socket object, so their close callbacks free
// them. The async cleanup hook makes a worker thread's environment wait for those callbacks:
// Node unloads the addon's code when a worker ends, and would run them after that.
struct Handles {
  uv_poll_t poll;
  uv_async_t async;
  NetlinkSocket* owner;  // null once the sender is joined and both handles are closing
  napi_async_cleanup_hook_handle hook = nullptr;
  int open = 2;
};

void Closed(uv_handle_t* handle) {
  auto* handles = static_cast<Handles*>(handle->data);
  if (--handles->open > 0) return;
  napi_remove_async_cleanup_hook(handles->hook);  // unregisters, or tells Node we are done
  delete handles;
}

template <typename Handle>
void CloseHandle(Handle* handle) {
  uv_close(reinterpret_cast<uv_handle_t*>(handle), Closed);
}

// Set by OpenNetlink around the constructor call, which is synchronous on this thread: how
// the fd reaches the object without exposing a JavaScript constructor argument.
thread_local Opened* handOver = nullptr;

Napi::Error ClosedError(Napi::Env env, const char* syscall) {
  return MakeError(env, Errno(EBADF, syscall, std::string(syscall) + ": EBADF (socket is closed)"));
}

/**
 * The JavaScript NetlinkSocket. Threads and ownership:
 * - The event loop thread owns everything except the send queue: it polls and reads the fd,
 *   runs every JavaScript callback, and closes the fd.
 * - Sends run on a sender thread of this socket, started at the first send. The kernel does a
 *   request's work inside sendmsg (a device delete takes ~17 ms), so sendmsg must not run on the
 *   event loop; a thread per socket (rather than chained uv_queue_work) keeps order trivially
 *   and never takes the libuv pool that fs, dns and zlib share. It only touches the queue under
 *   `mutex_` and the fd, which stays open until the thread is joined.
 *
 * Keeping the process alive: a socket with sends queued or in flight does (its async handle is
 * ref'd); so does one with joined multicast groups (a watch) or with datagrams left unread by
 * a pass that hit its budget. An idle socket without groups does not, so a forgotten socket
 * never holds the process open. ref()/unref() override that choice for the poll.
 */
class NetlinkSocket : public Napi::ObjectWrap<NetlinkSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkSocket",
                       {InstanceMethod<&NetlinkSocket::Send>("send"),
                        InstanceMethod<&NetlinkSocket::AddMembership>("addMembership"),
                        InstanceMethod<&NetlinkSocket::DropMembership>("dropMembership"),
                        InstanceMethod<&NetlinkSocket::Close>("close"),
                        InstanceMethod<&NetlinkSocket::RefLoop>("ref"),
                        InstanceMethod<&NetlinkSocket::UnrefLoop>("unref")});
  }

  // (onMessages, onError), with `handOver` set: made by openNetlink only.
  explicit NetlinkSocket(const Napi::CallbackInfo& info) : ObjectWrap(info) {
    Napi::Env env = info.Env();
    Opened* opened = std::exchange(handOver, nullptr);
    if (!opened || !info[0].IsFunction() || !info[1].IsFunction()) {
      throw Napi::TypeError::New(env, "NetlinkSocket objects are made by openNetlink()");
    }
    // Everything that can throw (allocations included) comes first: until the fd is taken
    // below, ~Opened closes it, and once a handle is registered with the loop nothing may
    // throw, or the loop would hold a handle whose owner is freed.
    onMessages_ = Napi::Persistent(info[0].As<Napi::Function>());
    onError_ = Napi::Persistent(info[1].As<Napi::Function>());
    Napi::Object self = info.This().As<Napi::Object>();
    context_ = std::make_unique<Napi::AsyncContext>(env, "os_vif.NetlinkSocket", self);
    Napi::Number portId = Napi::Number::New(env, opened->portId);
    self.DefineProperty(Napi::PropertyDescriptor::Value("portId", portId, napi_enumerable));
    Napi::Number receiveBuffer = Napi::Number::New(env, opened->receiveBuffer);
    self.DefineProperty(
        Napi::PropertyDescriptor::Value("receiveBuffer", receiveBuffer, napi_enumerable));
    groups_ = opened->groups;
    scratch_.resize(kScratch);
    peer_ = opened->peer;
    uv_loop_t* loop = nullptr;
    NAPI_THROW_IF_FAILED_VOID(env, napi_get_uv_event_loop(env, &loop));
    auto* handles = new Handles{{}, {}, this};
    if (int status = uv_poll_init(loop, &handles->poll, opened->fd)) {
      delete handles;  // not registered with the loop when init fails
      throw MakeError(env, Errno(-status, "uv_poll_init"));
    }
    // From here on nothing throws.
    std::swap(fd_, opened->fd);
    handles_ = handles;
    poll_ = &handles->poll;
    async_ = &handles->async;
    uv_async_init(loop, async_, OnSent);
    poll_->data = async_->data = handles;
    uv_poll_start(poll_, UV_READABLE, OnReadable);
    uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    napi_add_async_cleanup_hook(env, OnTeardown, handles, &handles->hook);
    UpdateRef();
    Ref();  // an open socket is never collected: close() releases it
  }

  ~NetlinkSocket() override { Teardown(); }

 private:
  enum class KeepAlive { kAuto, kAlways, kNever };

  void Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, "datagram must be a Uint8Array");
    }
    if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
    if (closed_) throw ClosedError(env, "sendmsg");
    auto bytes = info[0].As<Napi::Uint8Array>();
    std::vector<uint8_t> datagram(bytes.Data(), bytes.Data() + bytes.ElementLength());
    if (!sender_.joinable()) {
      try {
        sender_ = std::thread(&NetlinkSocket::SendLoop, this);
      } catch (const std::system_error& error) {
        throw MakeError(env, Errno(error.code().value(), "pthread_create"));
      }
    }
    if (callbacks_.empty()) uv_ref(reinterpret_cast<uv_handle_t*>(async_));
    callbacks_.push_back(Napi::Persistent(info[1].As<Napi::Function>()));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(datagram));
    }
    wake_.notify_one();
  }

  void AddMembership(const Napi::CallbackInfo& info) { Membership(info, NETLINK_ADD_MEMBERSHIP); }
  void DropMembership(const Napi::CallbackInfo& info) { Membership(info, NETLINK_DROP_MEMBERSHIP); }

  void Membership(const Napi::CallbackInfo& info, int option) {
    auto group = static_cast<uint32_t>(args::Integer(info[0], "group", 1, UINT32_MAX));
    if (closed_) throw ClosedError(info.Env(), "setsockopt");
    if (setsockopt(fd_, SOL_NETLINK, option, &group, sizeof group) != 0) {
      throw MakeError(info.Env(), Fail("setsockopt"));
    }
    if (option == NETLINK_ADD_MEMBERSHIP) {
      groups_.insert(group);
    } else {
      groups_.erase(group);
    }
    UpdateRef();
  }

  void Close(const Napi::CallbackInfo&) { Shutdown(); }

  void RefLoop(const Napi::CallbackInfo&) {
    keepAlive_ = KeepAlive::kAlways;
    UpdateRef();
  }

  void UnrefLoop(const Napi::CallbackInfo&) {
    keepAlive_ = KeepAlive::kNever;
    UpdateRef();
  }

  void UpdateRef() {
    if (closed_) return;
    bool hold = keepAlive_ == KeepAlive::kAlways ||
                (keepAlive_ == KeepAlive::kAuto && (!groups_.empty() || backlog_));
    auto* handle = reinterpret_cast<uv_handle_t*>(poll_);
    hold ? uv_ref(handle) : uv_unref(handle);
  }

  // Stops reading now; the fd closes once no sendmsg can still use it.
  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    CloseHandle(poll_);  // stops polling, takes the fd out of epoll
    poll_ = nullptr;
    if (!sender_.joinable()) return Release();
    uv_ref(reinterpret_cast<uv_handle_t*>(async_));  // stay alive until the sender has stopped
    StopSender();  // it finishes the sendmsg in flight, cancels the rest, and signals OnSent
  }

  void StopSender() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
  }

  // The environment (a worker thread) ends while the socket is open or closing.
  static void OnTeardown(napi_async_cleanup_hook_handle, void* data) {
    auto* handles = static_cast<Handles*>(data);
    if (handles->owner) handles->owner->Teardown();  // else the close callbacks are pending
  }

  // No JavaScript runs any more: stop the sender, close the fd and the handles, and drop the
  // references while the environment still lives. Idempotent.
  void Teardown() {
    closed_ = true;
    StopSender();
    if (sender_.joinable()) sender_.join();
    // The poll handle first: closing it takes the fd out of epoll, which needs the fd open
    // (closed first, a reused fd number could be watched, or removed, in its place).
    if (poll_) CloseHandle(poll_);
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    if (async_) CloseHandle(async_);
    if (handles_) handles_->owner = nullptr;
    poll_ = nullptr;
    async_ = nullptr;
    handles_ = nullptr;
    callbacks_.clear();
    onMessages_.Reset();
    onError_.Reset();
    context_.reset();
  }

  // Last step of close(): the sender is gone (or never ran) and every callback has run.
  void Release() {
    close(fd_);
    fd_ = -1;
    handles_->owner = nullptr;
    handles_ = nullptr;
    CloseHandle(async_);
    async_ = nullptr;
    onMessages_.Reset();
    onError_.Reset();
    Unref();  // the JavaScript object may now be collected
  }

  // Sender thread: one sendmsg per datagram, in order.
  // No exception may leave it (std::terminate): out of memory stops the sender, and OnSent
  // closes the socket with ENOMEM.
  void SendLoop() {
    pthread_setname_np(pthread_self(), "os-vif-send");
    std::unique_lock<std::mutex> lock(mutex_);
    try {
      for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) break;
        std::vector<uint8_t> datagram = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        int err = SendDatagram(fd_, datagram);
        lock.lock();
        results_.push_back(err);
        uv_async_send(async_);
      }
      results_.insert(results_.end(), queue_.size(), ECANCELED);  // closed before sent
    } catch (...) {
      if (!lock.owns_lock()) lock.lock();
      failed_ = true;  // OnSent answers the callbacks without a result itself
    }
    queue_.clear();
    stopped_ = true;
    uv_async_send(async_);
  }

  // Event loop thread: sends have completed (or the sender stopped).
  static void OnSent(uv_async_t* async) {
    NetlinkSocket* self = static_cast<Handles*>(async->data)->owner;
    Napi::Env env = self->Env();
    std::deque<int> results;
    bool stopped;
    bool failed;
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      results.swap(self->results_);
      stopped = self->stopped_;
      failed = self->failed_;
    }
    for (int err : results) {
      Napi::FunctionReference callback = std::move(self->callbacks_.front());
      self->callbacks_.pop_front();
      FromLoop(env, [&] {
        Napi::HandleScope scope(env);
        Napi::Value error = err ? MakeError(env, Errno(err, "sendmsg")).Value() : env.Null();
        self->Call(callback.Value(), {error});
      });
    }
    if (stopped) {
      self->sender_.join();
      if (failed) return self->SenderFailed();
      return self->Release();
    }
    if (self->callbacks_.empty()) uv_unref(reinterpret_cast<uv_handle_t*>(async));
    // The kernel queued the answers (acks, the first part of a dump) inside sendmsg: read them
    // now, so they arrive even when nothing else keeps the event loop alive.
    if (!self->closed_) self->ReadPass();
  }

  static void OnReadable(uv_poll_t* poll, int status, int) {
    NetlinkSocket* self = static_cast<Handles*>(poll->data)->owner;
    if (status < 0) {
      // libuv turns POLLERR into UV_EBADF and stops the poll. On a netlink socket POLLERR is a
      // pending socket error (ENOBUFS after an overrun): poll again and let recv report it.
      uv_poll_start(poll, UV_READABLE, OnReadable);
    }
    self->ReadPass();
  }

  // The sender thread ran out of memory: the sends it has no result for fail with ENOMEM,
  // the socket closes, then onError hears why.
  void SenderFailed() {
    Napi::Env env = Env();
    FromLoop(env, [&] {
      Napi::HandleScope scope(env);
      Napi::Object self = Value();  // held while callbacks run after Release()
      while (!callbacks_.empty()) {
        Napi::FunctionReference callback = std::move(callbacks_.front());
        callbacks_.pop_front();
        Call(callback.Value(), {MakeError(env, Errno(ENOMEM, "sendmsg")).Value()});
      }
      Napi::Function onError = onError_.Value();
      bool open = !closed_;  // closed by the caller already: no onError, as for close()
      if (open) {
        closed_ = true;
        CloseHandle(poll_);
        poll_ = nullptr;
      }
      Release();
      if (open) {
        onError.MakeCallback(self, {MakeError(env, Errno(ENOMEM, "sendmsg")).Value()}, *context_);
      }
    });
  }

  // Reads what is queued (up to the pass budget) and hands it to onMessages in one call.
  void ReadPass() {
    FromLoop(Env(), [this] {
      Napi::HandleScope scope(Env());
      ReadDatagrams(Env());
    });
  }

  void ReadDatagrams(Napi::Env env) {
    Napi::Array batch = Napi::Array::New(env);
    Napi::Array groups = Napi::Array::New(env);
    uint32_t count = 0;
    size_t bytes = 0;
    int err = 0;
    // Dropped datagrams count against the budget too: a flood of them cannot hold the loop.
    for (uint32_t reads = 0; reads < kPassDatagrams && bytes < kPassBytes; reads++) {
      Received got;
      err = ReceiveOne(got);
      // EINVAL as a socket error comes from the kernel continuing, inside recvmsg, a dump that
      // just ended inside sendmsg on the sender thread (netlink_dump finds cb_running false):
      // nothing was lost, so read on. It is cleared once reported; a second one is real.
      if (err == EINVAL) err = ReceiveOne(got);
      if (err != 0) break;
      bytes += got.length;
      if (got.sender != peer_) continue;  // forged: not from the kernel (or the peer)
      groups[count] = Napi::Number::New(env, got.group);
      batch[count++] = Napi::Buffer<uint8_t>::Copy(env, scratch_.data(), got.length);
    }
    backlog_ = err != EAGAIN;
    if (count > 0) Call(onMessages_.Value(), {batch, groups});
    if (closed_) return;
    if (err == ENOBUFS) {
      // The kernel dropped messages for us; the socket stays usable.
      Call(onError_.Value(), {MakeError(env, Errno(ENOBUFS, "recvmsg")).Value()});
    } else if (err != 0 && err != EAGAIN) {
      return Fatal(Errno(err, "recvmsg"));
    }
    UpdateRef();
  }

  struct Received {
    size_t length = 0;
    uint32_t sender = 0;  // nl_pid of the sending socket: 0 is the kernel
    uint32_t group = 0;   // the multicast group it was sent to; 0: unicast
  };

  // One datagram into scratch_, grown when the datagram is larger; 0 or errno.
  int ReceiveOne(Received& out) {
    for (;;) {
      // The size first (no copy), so a datagram is never truncated.
      ssize_t size = recv(fd_, nullptr, 0, MSG_PEEK | MSG_TRUNC);
      if (size < 0 && errno == EINTR) continue;
      if (size < 0) return errno;
      if (static_cast<size_t>(size) > scratch_.size()) scratch_.resize(size);
      sockaddr_nl from{};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(nl_pktinfo))];
      // Asking for the whole buffer also tells the kernel to fill dump datagrams up to 32 KiB.
      iovec iov{scratch_.data(), scratch_.size()};
      msghdr message{};
      message.msg_name = &from;
      message.msg_namelen = sizeof from;
      message.msg_iov = &iov;
      message.msg_iovlen = 1;
      message.msg_control = control;
      message.msg_controllen = sizeof control;
      ssize_t got = recvmsg(fd_, &message, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return errno;
      out.length = static_cast<size_t>(got);
      out.sender = message.msg_namelen >= sizeof from ? from.nl_pid : UINT32_MAX;
      out.group = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_PKTINFO) {
          nl_pktinfo info;
          std::memcpy(&info, CMSG_DATA(c), sizeof info);
          out.group = info.group;
        }
      }
      return 0;
    }
  }

  // A receive error other than ENOBUFS: the socket closes, then onError hears why. Shutdown
  // may release the object (Unref): a handle to it is held here until the callback has run,
  // so it cannot be collected (and its context destroyed) under the callback.
  void Fatal(const Failure& failure) {
    Napi::Env env = Env();
    Napi::Object self = Value();
    Napi::Function onError = onError_.Value();
    Shutdown();
    FromLoop(env, [&] { onError.MakeCallback(self, {MakeError(env, failure).Value()}, *context_); });
  }

  void Call(Napi::Function function, std::initializer_list<napi_value> args) {
    FromLoop(Env(), [&] { function.MakeCallback(Value(), args, *context_); });
  }

  // Event loop thread only.
  int fd_ = -1;
  bool closed_ = false;
  bool backlog_ = false;
  uint32_t peer_ = 0;  // datagrams from any other nl_pid are dropped
  KeepAlive keepAlive_ = KeepAlive::kAuto;
  Handles* handles_ = nullptr;  // until both handles are closing
  uv_poll_t* poll_ = nullptr;    // until closed
  uv_async_t* async_ = nullptr;  // until closed
  std::set<uint32_t> groups_;
  std::vector<uint8_t> scratch_;
  Napi::FunctionReference onMessages_;
  Napi::FunctionReference onError_;
  std::unique_ptr<Napi::AsyncContext> context_;
  std::deque<Napi::FunctionReference> callbacks_;  // of queued sends, in order
  std::thread sender_;
  // Shared with the sender thread, under mutex_.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::vector<uint8_t>> queue_;
  std::deque<int> results_;  // errno per completed send, in order
  bool stopping_ = false;
  bool stopped_ = false;
  bool failed_ = false;  // the sender thread ran out of memory
};

}  // namespace

void DefineNetlinkSocket(Napi::Env env) {
  env.SetInstanceData(new Napi::FunctionReference(Napi::Persistent(NetlinkSocket::Define(env))));
}

Napi::Value OpenNetlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object options = args::Options(info, 0);
  int protocol = static_cast<int>(args::Integer(options.Get("protocol"), "protocol", 0, 31));
  std::string netns = args::String(options, "netns", false).value_or("");
  // At most 1 GiB asked for (2 GiB in the kernel's accounting, which is an int).
  auto rcvbuf = static_cast<int>(
      args::Integer(options, "rcvbuf", 1, 1 << 30).value_or(kDefaultRcvbuf));
  auto peer = static_cast<uint32_t>(args::Integer(options, "peer", 0, UINT32_MAX).value_or(0));
  std::vector<uint32_t> groups;
  Napi::Value list = options.Get("groups");
  if (!list.IsUndefined() && !list.IsNull()) {
    // Length read once and capped; elements copied before any is converted.
    for (Napi::Value group : args::Elements<Napi::Value>(list, "groups", kMaxGroups)) {
      groups.push_back(static_cast<uint32_t>(args::Integer(group, "group", 1, UINT32_MAX)));
    }
  }
  // shared_ptr: std::function needs copyable captures; released on the event loop thread.
  auto onMessages = std::make_shared<Napi::FunctionReference>(
      Napi::Persistent(args::Function(options, "onMessages")));
  auto onError = std::make_shared<Napi::FunctionReference>(
      Napi::Persistent(args::Function(options, "onError")));
  auto opened = std::make_shared<Opened>();
  return RunOnThread(
      env, netns, [=] { return OpenSocket(protocol, rcvbuf, peer, groups, *opened); },
      [=](Napi::Env env) {
        Napi::FunctionReference* socketClass = env.GetInstanceData<Napi::FunctionReference>();
        handOver = opened.get();
        try {
          return socketClass->New({onMessages->Value(), onError->Value()});
        } catch (...) {
          handOver = nullptr;  // normally the constructor took it
          close(opened->fd);   // now, not when the task lets go of `opened`: the caller's
          opened->fd = -1;     // rejection handlers run before that
          throw;
        }
      });
}

}  // namespace osvif
