#include "thread_task.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <thread>

namespace osvif {
namespace {

struct Task {
  Task(Napi::Env env, Work work, Result result)
      : env(env),
        deferred(env),
        context(std::make_unique<Napi::AsyncContext>(env, "os_vif.ThreadTask")),
        work(std::move(work)),
        result(std::move(result)) {}

  // Drops what refers to JavaScript while the environment is alive; the close callback frees
  // the rest and lets a worker's environment end (see Abandon).
  void Dispose() {
    disposing = true;
    context.reset();
    work = nullptr;
    result = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&async), [](uv_handle_t* handle) {
      auto* task = static_cast<Task*>(handle->data);
      napi_remove_async_cleanup_hook(task->hook);
      delete task;
    });
  }

  // The environment (a worker thread) ends with the task in flight. Node unloads the addon's
  // code after that, so the thread and the close callback must be done first: wait for them.
  // The promise stays unsettled; no JavaScript runs any more.
  static void Abandon(napi_async_cleanup_hook_handle, void* data) {
    auto* task = static_cast<Task*>(data);
    if (task->disposing) return;  // the close callback is pending and will finish
    if (task->thread.joinable()) task->thread.join();
    task->Dispose();
  }

  uv_async_t async;  // ref'd: a task in flight keeps the event loop alive
  Napi::Env env;
  Napi::Promise::Deferred deferred;
  std::unique_ptr<Napi::AsyncContext> context;
  Work work;
  Result result;
  Failure failure;
  std::thread thread;
  napi_async_cleanup_hook_handle hook = nullptr;
  bool disposing = false;
};

// The file at `path` is looked at with O_PATH first (which opens nothing: a FIFO cannot block,
// a tty cannot become the controlling terminal, no device driver runs) and must be on nsfs;
// only then is that same inode opened for reading, through /proc/thread-self/fd, for setns.
Failure EnterNetns(const std::string& path) {
  if (path.empty()) return {};
  int handle = open(path.c_str(), O_PATH | O_CLOEXEC);
  if (handle < 0) return Fail("open", path);
  struct statfs fs {};
  if (fstatfs(handle, &fs) != 0 || fs.f_type != NSFS_MAGIC) {
    close(handle);
    Failure refused = Invalid("open", "open " + path + ": EINVAL (not a namespace file)");
    refused.path = path;
    return refused;
  }
  std::string reopen = "/proc/thread-self/fd/" + std::to_string(handle);
  int fd = open(reopen.c_str(), O_RDONLY | O_CLOEXEC);
  close(handle);
  if (fd < 0) return Fail("open", path);
  Failure failure = setns(fd, CLONE_NEWNET) == 0 ? Failure{} : Fail("setns", path);
  close(fd);
  return failure;
}

// The thread's body: no exception may leave a thread (std::terminate would end the process).
Failure RunWork(const std::string& netns, const Work& work) {
  try {
    Failure failure = EnterNetns(netns);
    return failure.ok() ? work() : failure;
  } catch (const std::bad_alloc&) {
    return Errno(ENOMEM, "operator new");
  } catch (...) {
    return Errno(EIO, "thread", "thread: EIO (unexpected C++ exception)");
  }
}

// On the event loop thread, after the thread signalled that it is done.
void Settle(uv_async_t* async) {
  Task* task = static_cast<Task*>(async->data);
  if (task->thread.joinable()) task->thread.join();  // at once: signalling was its last act
  Napi::Env env = task->env;
  FromLoop(env, [task, env] {
    Napi::HandleScope handles(env);
    Napi::CallbackScope scope(env, *task->context);  // runs promise reactions when it closes
    try {
      if (!task->failure.ok()) {
        task->deferred.Reject(MakeError(env, task->failure).Value());
      } else {
        task->deferred.Resolve(task->result ? task->result(env) : env.Undefined());
      }
    } catch (const Napi::Error& error) {
      task->deferred.Reject(error.Value());
    }
  });
  task->Dispose();
}

}  // namespace

Napi::Promise Rejected(Napi::Env env, const Failure& failure) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(MakeError(env, failure).Value());
  return deferred.Promise();
}

Napi::Promise RunOnThread(Napi::Env env, std::string netns, Work work, Result result) {
  if (!netns.empty() && (netns[0] != '/' || netns.find('\0') != std::string::npos)) {
    return Rejected(env, Invalid("open", "netns must be an absolute path, got '" + netns + "'"));
  }
  uv_loop_t* loop = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_get_uv_event_loop(env, &loop), Napi::Promise());
  auto* task = new Task(env, std::move(work), std::move(result));
  Napi::Promise promise = task->deferred.Promise();
  uv_async_init(loop, &task->async, Settle);  // cannot fail on Linux
  task->async.data = task;
  napi_add_async_cleanup_hook(env, Task::Abandon, task, &task->hook);
  try {
    task->thread = std::thread([task, netns = std::move(netns)] {
      pthread_setname_np(pthread_self(), "os-vif-task");  // seen in /proc/PID/task/*/comm
      task->failure = RunWork(netns, task->work);
      uv_async_send(&task->async);
    });
  } catch (const std::system_error& error) {
    task->failure = Errno(error.code().value(), "pthread_create");
    uv_async_send(&task->async);
  } catch (const std::bad_alloc&) {
    task->failure = Errno(ENOMEM, "pthread_create");
    uv_async_send(&task->async);
  }
  return promise;
}

}  // namespace osvif
