// Inter-process locks on files, interoperable with oslo.concurrency (fasteners' `fcntl.lockf`):
// an exclusive fcntl record lock on the whole file. The lock is taken as an open file
// description lock (F_OFD_SETLK), which conflicts with the classic process-owned record locks
// Python takes, and also with another description of the same file opened by this process, so
// two lock holders inside one process exclude each other too, and closing one descriptor never
// drops a lock held through another.
//
// A lock no one holds is taken at once on the calling thread (one non-blocking attempt: a thread
// per lock cost more than the lock). Waiting happens on a native thread of its own (RunOnThread): non-blocking attempts with a
// short back-off (1 ms doubling to 32 ms; fasteners polls from 10 to 100 ms), woken at once by
// cancel(). A blocked F_SETLKW cannot be interrupted without a signal, and Linux has no timed
// form, so a poll is what keeps the wait cancellable and bounded.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "args.h"
#include "exports.h"
#include "thread_task.h"

namespace osvif {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kFirstDelay{1};
constexpr std::chrono::milliseconds kMaxDelay{32};
// A holder that unlinks the file on release sends waiters back to reopen it; each round needs
// another holder to have come and gone, so this bound is never reached in practice.
constexpr int kMaxReopens = 10000;

std::atomic<bool> ofdUnsupported{false};

// What the waiting thread and the event loop share.
struct Wait {
  std::mutex mutex;
  std::condition_variable wake;
  bool cancelled = false;
  int fd = -1;  // the locked descriptor, handed to the loop thread
  Failure failure;
};

// A lock that is held: closing the descriptor releases it (also when the handle is collected).
struct Held {
  Held(int fd, std::string path) : fd(fd), path(std::move(path)) {}
  ~Held() {
    if (fd >= 0) close(fd);
  }
  int fd;
  std::string path;
};

Failure CheckPath(const std::string& path) {
  bool ok = path.size() > 1 && path[0] == '/' && path.back() != '/' &&
            path.find('\0') == std::string::npos;
  if (ok) return {};
  return Invalid("open", "lock file path must be an absolute file path, got '" + path + "'");
}

// Opens (creating when missing, mode 0666 less the umask, as Python's open(path, 'a')) the lock
// file. Refuses what is not a regular file: a FIFO or a device planted at the path must not
// block or act; a symbolic link is refused (O_NOFOLLOW) rather than followed.
Failure OpenLockFile(const std::string& path, int& fd) {
  fd = open(path.c_str(),
            O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0666);
  if (fd < 0) return Fail("open", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    Failure failure = Fail("fstat", path);
    close(fd);
    fd = -1;
    return failure;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    fd = -1;
    return Failure{EINVAL, "open", path, "open " + path + ": EINVAL (a lock file must be a regular file)"};
  }
  return {};
}

// One attempt: 0 when locked, else the errno of fcntl.
int TryLock(int fd) {
  struct flock range {};
  range.l_type = F_WRLCK;
  range.l_whence = SEEK_SET;  // l_start 0, l_len 0: the whole file, as lockf() locks it
  if (!ofdUnsupported.load()) {
    if (fcntl(fd, F_OFD_SETLK, &range) == 0) return 0;
    if (errno != EINVAL) return errno;
    ofdUnsupported = true;  // before Linux 3.15: classic locks (the in-process lock covers the rest)
  }
  return fcntl(fd, F_SETLK, &range) == 0 ? 0 : errno;
}

// True when `fd` is still the file at `path` (a holder may have unlinked it before releasing).
Failure StillLinked(int fd, const std::string& path, bool& same) {
  struct stat held, named;
  if (fstat(fd, &held) != 0) return Fail("fstat", path);
  if (stat(path.c_str(), &named) != 0) {
    if (errno != ENOENT) return Fail("stat", path);
    same = false;
    return {};
  }
  same = held.st_dev == named.st_dev && held.st_ino == named.st_ino;
  return {};
}

// On the waiting thread: returns with wait.fd locked, or wait.failure set.
void Acquire(Wait& wait, const std::string& path, std::optional<Clock::time_point> deadline) {
  auto delay = kFirstDelay;
  int fd = -1;
  for (int reopens = 0;;) {
    if (fd < 0) {
      wait.failure = OpenLockFile(path, fd);
      if (!wait.failure.ok()) return;
    }
    int err = TryLock(fd);
    if (err == 0) {
      bool same = false;
      wait.failure = StillLinked(fd, path, same);
      if (!wait.failure.ok() || same) break;
      close(fd);  // a lock on a file no longer named by the path protects nothing
      fd = -1;
      if (++reopens < kMaxReopens) continue;
      wait.failure = Errno(EAGAIN, "fcntl", "fcntl " + path + ": EAGAIN (the lock file keeps being replaced)");
      break;
    }
    if (err != EAGAIN && err != EACCES && err != EINTR) {
      errno = err;
      wait.failure = Fail("fcntl", path);
      break;
    }
    std::unique_lock<std::mutex> lock(wait.mutex);
    auto now = Clock::now();
    if (!wait.cancelled && deadline && now >= *deadline) {
      wait.failure = Errno(ETIMEDOUT, "fcntl", "fcntl " + path + ": ETIMEDOUT (the lock is held by another process)");
      break;
    }
    auto until = now + delay;
    if (deadline && *deadline < until) until = *deadline;
    wait.wake.wait_until(lock, until, [&wait] { return wait.cancelled; });
    if (wait.cancelled) {
      wait.failure = Errno(ECANCELED, "fcntl", "fcntl " + path + ": ECANCELED (the wait was cancelled)");
      break;
    }
    delay = std::min(delay * 2, kMaxDelay);
  }
  if (wait.failure.ok()) {
    wait.fd = fd;
  } else if (fd >= 0) {
    close(fd);
  }
}

// The environment ends while a wait is in flight: stop waiting so the thread can be joined.
void CancelAtTeardown(void* data) {
  auto* wait = static_cast<std::shared_ptr<Wait>*>(data);
  {
    std::lock_guard<std::mutex> lock((*wait)->mutex);
    (*wait)->cancelled = true;
  }
  (*wait)->wake.notify_all();
  delete wait;
}

Napi::Object HandleOf(Napi::Env env, std::shared_ptr<Held> held) {
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("path", held->path);
  handle.Set("release", Napi::Function::New(
                            env,
                            [held](const Napi::CallbackInfo& info) -> Napi::Value {
                              Napi::Env env = info.Env();
                              bool unlinkFile = info[0].IsObject() &&
                                                args::Boolean(info[0].As<Napi::Object>(), "unlink");
                              if (held->fd < 0) return Napi::Boolean::New(env, false);
                              Failure failure;
                              bool same = false;
                              if (unlinkFile) failure = StillLinked(held->fd, held->path, same);
                              // Unlinked while still locked: a waiter on this file reopens.
                              if (failure.ok() && same && unlink(held->path.c_str()) != 0 && errno != ENOENT)
                                failure = Fail("unlink", held->path);
                              close(held->fd);  // releases the lock, whatever came before
                              held->fd = -1;
                              if (!failure.ok()) throw MakeError(env, failure);
                              return Napi::Boolean::New(env, true);
                            },
                            "release"));
  return handle;
}

}  // namespace

Napi::Value FileLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object options = args::Options(info, 0);
  std::string path = *args::String(options, "path", true);
  std::optional<int64_t> timeoutMs = args::Integer(options, "timeoutMs", 0, INT32_MAX);
  auto wait = std::make_shared<Wait>();
  Napi::Object out = Napi::Object::New(env);
  out.Set("cancel", Napi::Function::New(
                        env,
                        [wait](const Napi::CallbackInfo& info) -> Napi::Value {
                          {
                            std::lock_guard<std::mutex> lock(wait->mutex);
                            wait->cancelled = true;
                          }
                          wait->wake.notify_all();
                          return info.Env().Undefined();
                        },
                        "cancel"));
  Failure refused = CheckPath(path);
  if (!refused.ok()) {
    out.Set("acquired", Rejected(env, refused));
    return out;
  }
  // The common case, a lock no one holds, costs no thread: one non-blocking attempt here (the
  // open cannot block: O_NONBLOCK, and what is not a regular file is refused). Held elsewhere,
  // unlinked meanwhile, or any error: the waiting thread takes over from the start (and reports).
  {
    int fd = -1;
    if (OpenLockFile(path, fd).ok()) {
      bool same = false;
      if (TryLock(fd) == 0 && StillLinked(fd, path, same).ok() && same) {
        auto deferred = Napi::Promise::Deferred::New(env);
        deferred.Resolve(HandleOf(env, std::make_shared<Held>(fd, path)));
        out.Set("acquired", deferred.Promise());
        return out;
      }
      close(fd);  // releases an OFD lock taken on a file that was unlinked meanwhile
    }
  }
  std::optional<Clock::time_point> deadline;
  if (timeoutMs) deadline = Clock::now() + std::chrono::milliseconds(*timeoutMs);
  auto* hook = new std::shared_ptr<Wait>(wait);
  Napi::Promise acquired = RunOnThread(
      env, "",
      [wait, path, deadline] {
        Acquire(*wait, path, deadline);
        return Failure{};  // the outcome travels in `wait`, so `result` always runs (see below)
      },
      [wait, path, hook](Napi::Env env) -> Napi::Value {
        // Runs on the loop thread while the environment lives: the teardown hook is not needed.
        napi_remove_env_cleanup_hook(env, CancelAtTeardown, hook);
        delete hook;
        if (!wait->failure.ok()) throw MakeError(env, wait->failure);
        auto held = std::make_shared<Held>(wait->fd, path);
        wait->fd = -1;
        return HandleOf(env, held);
      });
  // Added after RunOnThread's own teardown hook, so it runs first (hooks run newest first):
  // the wait ends before that hook joins the thread.
  napi_add_env_cleanup_hook(env, CancelAtTeardown, hook);
  out.Set("acquired", acquired);
  return out;
}

}  // namespace osvif
