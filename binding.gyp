{
  "targets": [
    {
      "target_name": "tpcvision_native",
      "sources": [
        "native/addon.cc",
        "native/conv.cc",
        "native/conv_single.cc",
        "native/matmul.cc",
        "native/eltwise.cc",
        "native/reduce.cc",
        "native/layout.cc",
        "native/batchnorm.cc",
        "native/batchnorm_train.cc",
        "native/fused_grad.cc",
        "native/groupnorm.cc",
        "native/upsample.cc",
        "native/oasis_loss.cc",
        "native/adamw.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "/usr/include"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
