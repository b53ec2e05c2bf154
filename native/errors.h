// Errors: a failed system call as data (Failure), and as the JS error users see (NativeError).
#pragma once

#include <napi.h>

#include <exception>
#include <string>

namespace osvif {

/** The outcome of system calls made off the event loop: `err` 0 is success. */
struct Failure {
  int err = 0;
  const char* syscall = "";
  /** The file the call was about, when there is one (becomes `error.path`). */
  std::string path;
  /** Replaces the generated message (used for input rejected before any call). */
  std::string message;

  bool ok() const { return err == 0; }
};

/** Captures errno after `syscall` failed. */
Failure Fail(const char* syscall, std::string path = "");

/** `err` (an errno value) from `syscall`. */
Failure Errno(int err, const char* syscall, std::string message = "");

/** Input rejected before any system call: EINVAL with a message that says why. */
Failure Invalid(const char* syscall, std::string message);

/** 'EEXIST' for 17; 'E<number>' when the kernel headers have no name for it. */
std::string ErrnoName(int err);

/** The JS error: message "syscall: CODE (text)", and code, errno, syscall (and path). */
Napi::Error MakeError(Napi::Env env, const Failure& failure);

/** Hands an exception thrown by a JS callback that libuv ran to process 'uncaughtException'. */
void ReportUncaught(Napi::Env env, const Napi::Error& error);

/** The same for a C++ exception (out of memory) while settling on the loop: an Error `what`. */
void ReportUncaught(Napi::Env env, const char* what);

/**
 * Runs `body` from a libuv callback, where no C++ exception may escape: a JavaScript exception
 * becomes an uncaught exception of the process (and is dropped when the environment can no
 * longer run JavaScript, as in a worker being terminated).
 */
template <typename Body>
void FromLoop(Napi::Env env, Body body) {
  try {
    body();
  } catch (const Napi::Error& error) {
    ReportUncaught(env, error);
  } catch (const std::exception& error) {  // bad_alloc: the process's uncaught exception too
    ReportUncaught(env, error.what());
  }
}

}  // namespace osvif
