#include "errors.h"

#include <cerrno>
#include <cstring>

#include "errno_names.h"

namespace osvif {

Failure Fail(const char* syscall, std::string path) {
  return Failure{errno, syscall, std::move(path), ""};
}

Failure Errno(int err, const char* syscall, std::string message) {
  return Failure{err, syscall, "", std::move(message)};
}

Failure Invalid(const char* syscall, std::string message) {
  return Failure{EINVAL, syscall, "", std::move(message)};
}

namespace {

// strerror_r comes in two flavours: glibc's GNU one returns the text (which may or may not be
// `buffer`), the XSI one (musl, and glibc without _GNU_SOURCE) fills `buffer` and returns 0 or an
// error number. Overloading on the return type picks the right reading for either libc.
[[maybe_unused]] const char* StrerrorText(const char* gnu, const char*) { return gnu; }
[[maybe_unused]] const char* StrerrorText(int xsi, const char* buffer) { return xsi == 0 ? buffer : "unknown error"; }

}  // namespace

std::string ErrnoName(int err) {
  // Our own table from the kernel headers (gen-errno-names.sh), not glibc's strerrorname_np:
  // that exists only from glibc 2.32 and not in musl, and the prebuilds promise glibc 2.28.
  for (const auto& entry : kErrnoNames) {
    if (entry.number == err) return entry.name;
  }
  return "E" + std::to_string(err);
}

Napi::Error MakeError(Napi::Env env, const Failure& failure) {
  std::string code = ErrnoName(failure.err);
  std::string message = failure.message;
  if (message.empty()) {
    char text[128] = "";
    // strerror_r, not strerror: thread-safe; GNU or XSI flavour, whichever the libc has.
    const char* description = StrerrorText(strerror_r(failure.err, text, sizeof text), text);
    message = std::string(failure.syscall) + (failure.path.empty() ? "" : " " + failure.path) +
              ": " + code + " (" + description + ")";
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", code);
  error.Set("errno", Napi::Number::New(env, failure.err));
  error.Set("syscall", failure.syscall);
  if (!failure.path.empty()) error.Set("path", failure.path);
  return error;
}

void ReportUncaught(Napi::Env env, const Napi::Error& error) {
  // Plain Node-API calls: nothing here may throw, and any of them may fail during teardown.
  napi_handle_scope scope;
  if (error.IsEmpty() || napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value value = nullptr;
  if (napi_get_reference_value(env, error, &value) == napi_ok && value != nullptr) {
    napi_fatal_exception(env, value);
  }
  napi_close_handle_scope(env, scope);
}

}  // namespace osvif

namespace osvif {

void ReportUncaught(Napi::Env env, const char* what) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value message = nullptr;
  napi_value error = nullptr;
  if (napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &message) == napi_ok &&
      napi_create_error(env, nullptr, message, &error) == napi_ok) {
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

}  // namespace osvif
