"""cc_proto: C++ (and optionally gRPC) code from one .proto with the system protoc.

Usage, in proto/BUILD.bazel:

    cc_proto(name = "lodgment", src = "lodgment.proto", grpc = True,
             deps = [":common"])

gives a cc_library `lodgment` exposing "proto/lodgment.pb.h" (and
"proto/lodgment.grpc.pb.h").
"""

def cc_proto(name, src, deps = [], grpc = False, visibility = ["//visibility:public"]):
    base = src[:-len(".proto")]
    outs = [base + ".pb.h", base + ".pb.cc"]
    if grpc:
        outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    grpc_flags = ""
    if grpc:
        grpc_flags = " --grpc_out=$(GENDIR) --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin"
    native.genrule(
        name = name + "_gen",
        srcs = [src] + [d + "_srcs" for d in deps],
        outs = outs,
        cmd = "protoc -I. -I/usr/include --cpp_out=$(GENDIR)" + grpc_flags +
              " $(location " + src + ")",
    )
    native.filegroup(name = name + "_srcs", srcs = [src], visibility = visibility)
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + ["//third_party:protobuf"] + (["//third_party:grpc"] if grpc else []),
        visibility = visibility,
    )
