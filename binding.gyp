{
  "targets": [
    {
      "target_name": "os_vif",
      "sources": [
        "native/addon.cc",
        "native/args.cc",
        "native/caps.cc",
        "native/errors.cc",
        "native/file_lock.cc",
        "native/netlink_socket.cc",
        "native/netns.cc",
        "native/peercred.cc",
        "native/sysctl.cc",
        "native/thread_task.cc",
        "native/tun.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-Wall", "-Wextra"]
    }
  ]
}
