#!/usr/bin/env bash
# Writes the deployment files made from the topology
# (pipeline/topology/topology.cc) and the executables that run its stages
# (services/common/executables.cc): deploy/strimzi/kafka.yaml,
# deploy/kubernetes/sbrgate.yaml and deploy/compose.yaml, each what
# `sbrgated --print-topology=strimzi|kubernetes|compose` prints. Run it after
# changing either; tests/deploy_files_test.py fails until the files are
# current.
#   deploy/generate.sh
# SBRGATED names an sbrgated to ask (e.g. /opt/sbrgate/bin/sbrgated); without
# it the one of this checkout is built and asked (tools/sbrgated).
set -euo pipefail
deploy=$(cd "$(dirname "$0")" && pwd)
sbrgated=${SBRGATED:-$deploy/../tools/sbrgated}

# write FILE ARGS...: FILE becomes what `sbrgated ARGS...` prints, or stays
# as it was when that fails.
write() {
  local file=$deploy/$1; shift
  mkdir -p "$(dirname "$file")"
  "$sbrgated" "$@" >"$file.new"
  mv "$file.new" "$file"
  echo "wrote deploy/${file#"$deploy"/}"
}

write strimzi/kafka.yaml --print-topology=strimzi --replication=3
write kubernetes/sbrgate.yaml --print-topology=kubernetes
write compose.yaml --print-topology=compose
