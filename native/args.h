// Reading arguments from JavaScript. A wrong type is a programming error: a TypeError thrown
// at once. (Values that are well typed but refused, like a too long interface name, reject the
// returned promise with a NativeError EINVAL instead.)
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>

namespace osvif::args {

/** The options object at `info[index]`. */
Napi::Object Options(const Napi::CallbackInfo& info, size_t index);

/** A string property; nullopt when absent (undefined or null) and `required` is false. */
std::optional<std::string> String(Napi::Object options, const char* key, bool required);

/** An integer property in [min, max]; nullopt when absent. */
std::optional<int64_t> Integer(Napi::Object options, const char* key, int64_t min, int64_t max);

/** A boolean property; false when absent. */
bool Boolean(Napi::Object options, const char* key);

/** A function property (required). */
Napi::Function Function(Napi::Object options, const char* key);

/** `value` as an integer in [min, max]; `what` names it in the TypeError. */
int64_t Integer(Napi::Value value, const char* what, int64_t min, int64_t max);

}  // namespace osvif::args
