# Shared by the tools/ scripts: where things are and how Bazel is called.
# Source it; it defines ROOT and run_bazel.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A fixed disk cache outside the clone makes rebuilds in fresh clones cheap.
BAZEL_DISK_CACHE=${BAZEL_DISK_CACHE:-$HOME/.cache/sbrgate-bazel-disk}

run_bazel() {
  local cmd=$1; shift
  mkdir -p "$BAZEL_DISK_CACHE"
  (cd "$ROOT" && bazel ${BAZEL_STARTUP_OPTS:-} "$cmd" --disk_cache="$BAZEL_DISK_CACHE" "$@")
}

# Where this checkout's build outputs are (not the bazel-bin link, which
# follows whichever output base built last).
bazel_bin() {
  (cd "$ROOT" && bazel ${BAZEL_STARTUP_OPTS:-} info bazel-bin 2>/dev/null)
}

# Builds targets quietly.
build_quietly() {
  run_bazel build --ui_event_filters=-info,-stdout --noshow_progress "$@" >&2
}

# Builds one target quietly and prints the path of its output file.
built_binary() {
  local target=$1
  build_quietly "$target" || return 1
  local pkg=${target#//}; pkg=${pkg%%:*}
  echo "$(bazel_bin)/$pkg/${target##*:}"
}
