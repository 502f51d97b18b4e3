{
  "targets": [
    {
      "target_name": "digitscan_native",
      "sources": ["src/addon.cc", "src/conv.cc", "src/image.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-Wno-maybe-uninitialized", "-Wno-uninitialized"],
      "cflags_cc!": ["-fno-rtti"]
    }
  ]
}
