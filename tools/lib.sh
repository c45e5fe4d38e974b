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
# follows whichever output base built last) for the build options given, e.g.
# `bazel_bin -c opt`.
bazel_bin() {
  (cd "$ROOT" && bazel ${BAZEL_STARTUP_OPTS:-} info "$@" bazel-bin 2>/dev/null)
}

# Builds targets quietly (errors only).
build_quietly() {
  run_bazel build --ui_event_filters=-info,-stdout --noshow_progress --show_result=0 "$@" >&2
}

# Builds one executable optimised (-c opt: the tools/ wrappers are how users
# run the product; tests build the default way) and prints the path of its
# output file. A label without :name names the target after its package's
# last path component, as Bazel does (//services/sbrgated).
built_binary() {
  local target=$1
  build_quietly -c opt "$target" || return 1
  local pkg=${target#//}; pkg=${pkg%%:*}
  local name=${pkg##*/}
  if [[ $target == *:* ]]; then name=${target##*:}; fi
  echo "$(bazel_bin -c opt)/$pkg/$name"
}

# The body of an HTTP GET (the simulator's admin endpoint), without curl.
http_get() {
  local hostport=${1#http://}
  exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}"
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$2" "$hostport" >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
}

# The same for a POST of the body on stdin (JSON); fails unless answered 200.
http_post() {
  local hostport=${1#http://} body status
  body=$(cat)
  exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}"
  printf 'POST %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$2" "$hostport" "${#body}" "$body" >&3
  status=$(head -n 1 <&3)
  cat <&3 >/dev/null
  exec 3<&-
  [[ $status == *" 200 "* ]]
}
