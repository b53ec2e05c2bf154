// Blocking system calls, each batch on a short-lived native thread of its own, optionally
// inside a network namespace; the promise settles on the event loop thread.
//
// Why a fresh thread and not the libuv pool: setns() and unshare() change the namespace of the
// calling thread only. A thread that entered (or unshared) a namespace must never run anything
// else afterwards, so it ends with its task; pool threads are shared and reused. Starting a
// thread costs tens of microseconds, small next to the calls it runs (a device registration
// takes the kernel's rtnl lock).
#pragma once

#include <napi.h>

#include <functional>
#include <string>

#include "errors.h"

namespace osvif {

/** Runs on the new thread, after it entered the namespace; returns what failed, if anything. */
using Work = std::function<Failure()>;
/** Runs on the event loop thread after `Work` succeeded; its value resolves the promise. */
using Result = std::function<Napi::Value(Napi::Env)>;

/**
 * Starts `work` on a new thread that first enters the network namespace at `netns` (when not
 * empty) and ends with the work. The promise resolves with `result(env)` (undefined when
 * `result` is empty) or rejects with the NativeError of the failure. A `netns` that is not an
 * absolute path is refused (EINVAL) before any thread starts.
 */
Napi::Promise RunOnThread(Napi::Env env, std::string netns, Work work, Result result = nullptr);

/** A promise already rejected with `failure` (for input refused before any system call). */
Napi::Promise Rejected(Napi::Env env, const Failure& failure);

}  // namespace osvif
