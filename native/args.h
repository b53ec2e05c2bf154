// Reading arguments from JavaScript. A wrong type is a programming error: a TypeError thrown
// at once. (Values that are well typed but refused, like a too long interface name, reject the
// returned promise with a NativeError EINVAL instead.)
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

/**
 * The elements of the array `value` (`what` names it in a TypeError), each of type T (checked
 * with `IsObject()` for Napi::Object, `IsNumber()` for Napi::Number). The length is read once
 * and must be at most `max`; every element is read into the vector before the caller sizes
 * anything by it, so a getter that changes the array while it is read changes nothing here.
 */
template <typename T>
std::vector<T> Elements(Napi::Value value, const char* what, uint32_t max);

/** `value` as an integer in [min, max]; `what` names it in the TypeError. */
int64_t Integer(Napi::Value value, const char* what, int64_t min, int64_t max);

}  // namespace osvif::args
