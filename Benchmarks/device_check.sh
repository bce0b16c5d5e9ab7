#!/usr/bin/env bash
# The GPU check of the cooperative-matrix kernel and of belm's speed beside PyTorch CUDA, as one prepared run.
#
#   Benchmarks/device_check.sh package        here (with the Swift toolchain): one release build of belm and of the
#                                             test bundle, packed with the libraries a bare GPU machine lacks into
#                                             .device-check/belm-device.tar.xz (carry `.device-check`)
#   Benchmarks/device_check.sh verify         here: unpacks that archive and runs it without the toolchain
#                                             (`belm devices`, a small bench, the cooperative-matrix tests)
#   bash Benchmarks/device_check.sh run [S [PART...]]
#                                             on the GPU machine, in the repository root: the parts below (all by
#                                             default) within S seconds (default 420), results under $OUT
#
# `run` does, in this order, each step under its own time limit, skipped once the budget is spent:
#   devices.txt        always: nvidia-smi, `belm devices` (the advertised cooperative-matrix shapes), libraries
#   coopmat-tests.log  part coopmat: the cooperative-matrix tests, the fp16 goldens and the fp16 exact-inversion test
#                      with BELM_VULKAN_COOPMAT=1 under the validation layer
#   compare_unet.log   part compare: Benchmarks/compare_unet.py on CUDA (ddpm-cifar10-32, batch 1/8/32): belm fp32
#                      and fp16 + coopmat beside PyTorch fp32 with TF32 on and fp16 autocast; then belm fp32 and fp16
#                      without coopmat beside PyTorch true fp32 (TF32 off) and fp16 autocast
#   bench.log          part bench: belm bench of sd15-unet 512² batch 2 and sd15-vae-decoder 512², each in fp32,
#                      fp16 and fp16 + coopmat (random weights; their building is most of each step's time)
#   suite.log          part suite: the whole test suite with BELM_VULKAN_COOPMAT=1 under the validation layer
#   summary.txt        one line per step: status and seconds (a later run in the same call appends)
set -euo pipefail

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
folder=.device-check
archive=$folder/belm-device.tar.xz
# diffusers for Benchmarks/unet2d_pytorch.py: the GPU image has torch but not diffusers (and no network).
diffusers=diffusers==0.42.1

package() {
    cd "$repository"
    swift build -c release --build-tests -Xswiftc -enable-testing
    local bin stage
    bin=$(swift build -c release --show-bin-path)
    stage=$(mktemp -d)/belm-device
    mkdir -p "$stage"/{bin,lib,vulkan-loader,layers,wheels}
    # Symbols stripped: the Swift runtime reads its metadata from data sections, not from the symbol table.
    strip -o "$stage/bin/belm" "$bin/belm"
    strip -o "$stage/bin/belmPackageTests.xctest" "$bin/belmPackageTests.xctest"
    # Every shared library they load but glibc's and the C++ runtime's own, which every Linux image has (newer).
    local base='/(libc|libm|libdl|libpthread|librt|libutil|libresolv|ld-linux-x86-64|libgcc_s|libstdc\+\+)\.so'
    for binary in "$stage/bin/belm" "$stage/bin/belmPackageTests.xctest"; do
        ldd "$binary" | awk '/=> \// { print $3 }'
    done | sort -u | grep -Ev "$base" | while read -r library; do cp -L "$library" "$stage/lib/"; done
    # belm opens the Vulkan loader at run time (no ldd entry); used there only where the image has none.
    cp -L "$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ { print $NF; exit }')" "$stage/vulkan-loader/libvulkan.so.1"
    # The Khronos validation layer, found through VK_LAYER_PATH; its manifest's library path is made relative.
    local manifest=/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json
    local layer
    layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layer"]["library_path"])' "$manifest")
    [[ $layer == /* ]] || layer=$(ldconfig -p | awk -v name="$layer" '$1 == name && /x86-64/ { print $NF; exit }')
    cp -L "$layer" "$stage/layers/libVkLayer_khronos_validation.so"
    python3 - "$manifest" "$stage/layers/VkLayer_khronos_validation.json" <<'EOF'
import json, sys
manifest = json.load(open(sys.argv[1]))
manifest["layer"]["library_path"] = "./libVkLayer_khronos_validation.so"
json.dump(manifest, open(sys.argv[2], "w"), indent=1)
EOF
    python3 -m pip download -q --no-deps --only-binary=:all: -d "$stage/wheels" "$diffusers"
    # Tests find their fixtures by the source paths compiled into them (#filePath).
    echo "$repository" > "$stage/SOURCE_ROOT"
    git -C "$repository" rev-parse HEAD > "$stage/COMMIT"
    mkdir -p "$folder"
    tar -C "$(dirname "$stage")" -cf - belm-device | xz -T2 -6 > "$archive.tmp"
    mv "$archive.tmp" "$archive"
    rm -rf "$(dirname "$stage")"
    local exclude
    exclude=$(git rev-parse --git-path info/exclude)
    grep -qx "/$folder/" "$exclude" 2>/dev/null || echo "/$folder/" >> "$exclude"
    echo "packed $(du -h "$archive" | cut -f1) into $archive (built from $(git rev-parse --short HEAD)); carry $folder"
}

# Unpacks the archive into $1 and sets up the environment its programs run in.
unpack() {
    local target=$1
    rm -rf "$target/belm-device"
    mkdir -p "$target"
    # Python's tarfile, since a bare image may have no xz.
    python3 - "$repository/$archive" "$target" <<'EOF'
import sys, tarfile
trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
with tarfile.open(sys.argv[1]) as archive:
    archive.extractall(sys.argv[2], **trusted)
EOF
    pkg=$target/belm-device
    export LD_LIBRARY_PATH=$pkg/lib
    if ! ldconfig -p | grep -q 'libvulkan\.so\.1 '; then LD_LIBRARY_PATH+=:$pkg/vulkan-loader; fi
    export VK_LAYER_PATH=$pkg/layers
    # The NVIDIA driver's manifest where this workplace's GPU machines keep it, if the loader's places lack one.
    local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    if [[ -z ${VK_DRIVER_FILES:-} && -e $icd ]] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
        export VK_DRIVER_FILES=$icd
    fi
    # The suite reads its fixtures at the paths it was built from: point those at this checkout.
    local source
    source=$(cat "$pkg/SOURCE_ROOT")
    if [[ $source != "$repository" && ! -e $source ]]; then
        mkdir -p "$(dirname "$source")"
        ln -s "$repository" "$source"
    fi
}

verify() {
    local scratch
    scratch=$(mktemp -d)
    unpack "$scratch"
    # No toolchain: a clean environment, and every library resolved inside the package or the system.
    local clean=(env -i PATH=/usr/bin:/bin HOME="$HOME" LD_LIBRARY_PATH="$LD_LIBRARY_PATH" VK_LAYER_PATH="$VK_LAYER_PATH")
    for binary in "$pkg/bin/belm" "$pkg/bin/belmPackageTests.xctest"; do
        if "${clean[@]}" ldd "$binary" | grep -E 'not found|/opt/swift'; then
            echo "verify: $binary resolves a library outside the package and the system (above)" >&2
            exit 1
        fi
    done
    (cd "$scratch" && "${clean[@]}" "$pkg/bin/belm" devices)
    (cd "$scratch" && "${clean[@]}" "$pkg/bin/belm" bench --batch-sizes 1 --repeats 1 --precision fp16)
    (cd "$scratch" && "${clean[@]}" BELM_VULKAN_COOPMAT=1 "$pkg/bin/belmPackageTests.xctest" --testing-library swift-testing \
        --filter CooperativeMatrix)
    rm -rf "$scratch"
    echo "verify: the package runs without the toolchain"
}

run() {
    local budget=${1:-420}
    local parts=${*:2}
    parts=${parts:-coopmat compare bench suite}
    : "${OUT:?run writes its results under \$OUT}"
    local started=$SECONDS
    cd "$repository"
    unpack /tmp
    local belm=$pkg/bin/belm tests=$pkg/bin/belmPackageTests.xctest
    summary=$OUT/summary.txt
    echo "belm $(cat "$pkg/COMMIT"), checkout $(git rev-parse HEAD 2>/dev/null || echo unknown), budget ${budget}s: $parts" >> "$summary"

    # step NAME LOG LIMIT COMMAND...: runs COMMAND (output appended to LOG) for at most LIMIT seconds and what is
    # left of the budget, and records its status; skipped when under 20 seconds remain.
    step() {
        local name=$1 log=$2 limit=$3
        shift 3
        local left=$((budget - (SECONDS - started)))
        if ((left < 20)); then
            echo "$name: skipped (budget spent)" >> "$summary"
            return 0
        fi
        ((limit > left)) && limit=$left
        local begun=$SECONDS status=0
        echo "=== $name (limit ${limit}s)" >> "$log"
        timeout --kill-after=10 "$limit" "$@" >> "$log" 2>&1 || status=$?
        local outcome="ok"
        ((status == 124 || status == 137)) && outcome="timed out after ${limit}s"
        ((status != 0 && status != 124 && status != 137)) && outcome="failed ($status)"
        echo "$name: $outcome, $((SECONDS - begun))s" >> "$summary"
    }

    wants() { [[ " $parts " == *" $1 "* ]]; }
    {
        nvidia-smi -L || true
        echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH VK_LAYER_PATH=$VK_LAYER_PATH VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
        ldd "$belm" | grep -E 'not found' || echo "all of belm's libraries found"
    } >> "$OUT/devices.txt" 2>&1
    step devices "$OUT/devices.txt" 30 "$belm" devices

    if wants coopmat; then
        step coopmat-tests "$OUT/coopmat-tests.log" 120 env BELM_VULKAN_COOPMAT=1 "$tests" --testing-library swift-testing \
            --filter 'CooperativeMatrix|HalfPrecisionGolden|inversionSurvivesHalfPrecisionWeights'
    fi

    if wants compare; then
        if python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site "$pkg"/wheels/*.whl \
            >> "$OUT/compare_unet.log" 2>&1; then
            export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
        fi
        local compare=(python3 Benchmarks/compare_unet.py --belm "$belm" --device cuda --repeats 20 --batch-sizes 1 8 32)
        step "compare_unet coopmat, TF32 on" "$OUT/compare_unet.log" 120 \
            env BELM_VULKAN_COOPMAT=1 PYTHONUNBUFFERED=1 "${compare[@]}" --tf32
        step "compare_unet no coopmat, TF32 off" "$OUT/compare_unet.log" 120 env PYTHONUNBUFFERED=1 "${compare[@]}"
    fi

    if wants bench; then
        local configuration
        for configuration in sd15-unet sd15-vae-decoder; do
            local batch=1
            [[ $configuration == sd15-unet ]] && batch=2
            local common=(bench --configuration "$configuration" --resolution 512 --batch-sizes "$batch" --repeats 5)
            step "$configuration fp32" "$OUT/bench.log" 90 "$belm" "${common[@]}" --precision fp32
            step "$configuration fp16" "$OUT/bench.log" 90 "$belm" "${common[@]}" --precision fp16
            step "$configuration fp16 coopmat" "$OUT/bench.log" 90 env BELM_VULKAN_COOPMAT=1 "$belm" "${common[@]}" --precision fp16
        done
    fi

    if wants suite; then
        step suite "$OUT/suite.log" 600 env BELM_VULKAN_COOPMAT=1 "$tests" --testing-library swift-testing
    fi
    echo "total $((SECONDS - started))s" >> "$summary"
    cat "$summary"
}

case ${1:-} in
    package) package ;;
    verify) verify ;;
    run) shift; run "$@" ;;
    *) sed -n '2,25p' "$0"; exit 2 ;;
esac
