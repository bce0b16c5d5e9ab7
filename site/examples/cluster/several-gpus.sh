#!/bin/bash
# One machine, several GPUs: one belm process per device, each computing its share of the work items into
# the same cache, then one process that writes the site. Run from the repository root:
#
#   site/examples/cluster/several-gpus.sh site/examples/ddpm-cifar10-32.yml 4
#
# `belm devices` lists the device indices. A failed shard makes the script stop before assembling; run it
# again and only the missing items are computed.
set -euo pipefail

CONFIG=${1:?usage: several-gpus.sh CONFIG GPUS [OUT]}
GPUS=${2:?usage: several-gpus.sh CONFIG GPUS [OUT]}
OUT=${3:-_site}
CACHE=${BELM_CACHE:-.belm-cache}

pids=()
for ((i = 0; i < GPUS; i++)); do
  belm build --config "$CONFIG" --cache "$CACHE" --backend vulkan --device "$i" --shard "$i/$GPUS" --quiet &
  pids+=("$!")
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
if [ "$status" -ne 0 ]; then
  echo "a shard failed; run this again to compute what is missing" >&2
  exit 1
fi
belm build --config "$CONFIG" --cache "$CACHE" --backend vulkan --cached-only --out "$OUT"
