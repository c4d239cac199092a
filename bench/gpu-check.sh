#!/usr/bin/env bash
# The GPU check of issue 15, in one command on a machine with an NVIDIA (or any Vulkan) GPU:
#   bash bench/gpu-check.sh [--steps N] [--preset paper|small] [--skip-epoch] [--allow-software] [--json FILE]
#   (dry run of the flow on a software adapter: --allow-software --batch 2 --steps 1 --preset small --arch resnet-small)
# It reports the WebGPU adapter, the trajectory check against the cpu backend, ResNet18 training images/s at 56×56×1 and
# 32×32×3 with batch 128 (beside PyTorch on CUDA when a python3 with CUDA torch is there), and one epoch of the paper
# preset; the last line is one JSON object (also written to --json FILE, default gpu-check.json, or $OUT/gpu-check.json
# when $OUT is set). Exit status 0 only when a hardware adapter trained and matched the cpu trajectory.
#
# What the machine needs: Node >= 20 and the GPU's Vulkan driver (for NVIDIA: the driver's nvidia_icd.json; in a
# container NVIDIA_DRIVER_CAPABILITIES must include graphics). The Vulkan loader (libvulkan.so.1) may be missing: the
# one .ci/webgpu-driver.sh unpacked into .ci/lavapipe is used then, without its software driver.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d node_modules/webgpu ]]; then
  echo "gpu-check: installing (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
npm run build --silent >&2

on_library_path() { local d; for d in ${LD_LIBRARY_PATH//:/ }; do [[ -e "$d/libvulkan.so.1" ]] && return 0; done; return 1; }
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' && ! on_library_path; then
  loader="$(find .ci/lavapipe/root/usr/lib -name libvulkan.so.1 -print -quit 2>/dev/null || true)"
  if [[ -n "$loader" ]]; then
    echo "gpu-check: no system Vulkan loader; using $loader" >&2
    export LD_LIBRARY_PATH="$(dirname "$loader")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  else
    echo "gpu-check: no Vulkan loader (libvulkan.so.1): install libvulkan1, or run .ci/webgpu-driver.sh once where apt works" >&2
  fi
fi

json="gpu-check.json"
[[ -n "${OUT:-}" ]] && json="$OUT/gpu-check.json"
args=("$@")
[[ " ${args[*]} " == *" --json "* ]] || args+=(--json "$json")
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || true
exec node dist/bench/gpuCheck.js "${args[@]}"
