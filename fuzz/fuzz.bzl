"""cc_fuzz_target: a libFuzzer target, built only with `--config=fuzz`.

    cc_fuzz_target(name = "x_fuzz", srcs = ["x_fuzz.cc"], deps = [...])

The source defines LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize if it
needs one); libFuzzer's own main comes from Debian's libfuzzer-14-dev. Tagged
manual: the default (gcc) build has neither the coverage instrumentation nor
libFuzzer, so `bazel build //...` leaves these out (see .bazelrc's fuzz
config and bench/fuzz.sh).
"""

def cc_fuzz_target(name, srcs, deps = []):
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps,
        linkopts = ["/usr/lib/llvm-14/lib/libFuzzer.a"],
        testonly = True,
        tags = ["manual", "fuzz_target"],
    )
