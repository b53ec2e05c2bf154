// The calls of the privilege-separated helper (src/helper): capability dropping, re-exec, and
// the credentials of a unix socket's peer. Their contract is src/native/addon.ts.
#pragma once

#include <napi.h>

namespace osvif {

// caps.cc
Napi::Value CapsRestrict(const Napi::CallbackInfo& info);
Napi::Value ExecSelf(const Napi::CallbackInfo& info);

// peercred.cc
Napi::Value PeerCredentials(const Napi::CallbackInfo& info);

}  // namespace osvif
