#!/usr/bin/env bash
# A software Vulkan driver for the webgpu test suite (issue 15): Mesa 25's lavapipe from Debian bookworm-backports,
# unpacked into a private, gitignored folder. Debian 12's own Mesa 22.3 is rejected by Dawn
# ("shaderUniform*ArrayDynamicIndexing required"); 25.x works.
#
# Nothing system-wide changes: apt reads a private sources list and keeps a private index and cache (apt-get -o ...),
# the .debs are fetched with `apt-get download` and unpacked with `dpkg -x`, never installed. Idempotent: a prepared
# driver whose recorded package list matches is reused without touching the network.
#
# Usage (bash): `source .ci/webgpu-driver.sh` exports
#   VK_ICD_FILENAMES      the lavapipe ICD manifest inside the folder
#   LD_LIBRARY_PATH       the folder's libraries first (the Vulkan loader and the newer libdrm that Mesa 25 needs)
#   MLNC_WEBGPU_TESTS     'require': the webgpu test suite must run and fails if no adapter comes up
# Run it as a program (`bash .ci/webgpu-driver.sh`) to prepare the folder and print those lines.
# MLNC_WEBGPU_DRIVER_DIR overrides the folder (default .ci/lavapipe beside this script).

_mlnc_webgpu_driver() {
  local here dir root debs apt arch sources opts pkg missing
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  dir="${MLNC_WEBGPU_DRIVER_DIR:-$here/lavapipe}"
  root="$dir/root"
  debs="$dir/debs"
  apt="$dir/apt"
  arch="$(dpkg --print-architecture)"
  # Mesa 25 from backports; the Vulkan loader from bookworm; libdrm >= 2.4.121 (Mesa 25's minimum) from backports.
  # Every other library Mesa 25 links (LLVM 15, libelf, xcb, wayland, zstd) is already on a stock Debian 12 image;
  # the ldd check below names any that is not.
  local packages=(mesa-vulkan-drivers/bookworm-backports libvulkan1 libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports)
  local icd="$root/usr/share/vulkan/icd.d/lvp_icd.json"
  local stamp="$dir/prepared"
  local libdir

  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "${packages[*]}" || ! -f "$icd" ]]; then
    echo "webgpu driver: preparing Mesa lavapipe in $dir" >&2
    rm -rf "$root" "$stamp"
    mkdir -p "$debs" "$apt/lists/partial" "$apt/cache/archives/partial" "$root"
    sources="$apt/sources.list"
    cat >"$sources" <<EOF
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
EOF
    opts=(-o "Dir::Etc::SourceList=$sources" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$apt/lists"
      -o "Dir::Cache=$apt/cache" -o "APT::Architecture=$arch" -o APT::Sandbox::User=root)
    # The cached .debs are reused when they are all there; otherwise fetch a fresh index and download them.
    local have=1
    for pkg in "${packages[@]}"; do
      compgen -G "$debs/${pkg%%/*}_*_*.deb" >/dev/null || have=0
    done
    if [[ $have == 0 ]]; then
      apt-get -qq "${opts[@]}" update >&2 || { echo "webgpu driver: apt-get update of the private index failed" >&2; return 1; }
      rm -f "$debs"/*.deb
      (cd "$debs" && apt-get -qq "${opts[@]}" download "${packages[@]}" >&2) ||
        { echo "webgpu driver: apt-get download ${packages[*]} failed" >&2; return 1; }
    fi
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$root"; done
    [[ -f "$icd" ]] || { echo "webgpu driver: $icd missing after unpacking" >&2; return 1; }
    # The unpacked libraries' folder, e.g. root/usr/lib/x86_64-linux-gnu (found, not guessed from the architecture).
    libdir="$(dirname "$(find "$root/usr/lib" -name libvulkan_lvp.so -print -quit)")"
    # The manifest names the driver by absolute path in the system tree; point it at the private copy.
    sed -i "s#\"library_path\": *\"[^\"]*libvulkan_lvp.so\"#\"library_path\": \"$libdir/libvulkan_lvp.so\"#" "$icd"
    missing="$(LD_LIBRARY_PATH="$libdir" ldd "$libdir/libvulkan_lvp.so" | awk '/not found/ {print $1}' | tr '\n' ' ')"
    [[ -z "$missing" ]] || { echo "webgpu driver: lavapipe needs libraries this machine lacks: $missing" >&2; return 1; }
    echo "${packages[*]}" >"$stamp"
    echo "webgpu driver: ready ($(basename "$(ls "$debs"/mesa-vulkan-drivers_*.deb)"))" >&2
  fi
  libdir="$(dirname "$(find "$root/usr/lib" -name libvulkan_lvp.so -print -quit)")"
  export VK_ICD_FILENAMES="$icd"
  case ":${LD_LIBRARY_PATH:-}:" in
    *":$libdir:"*) ;;
    *) export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;;
  esac
  export MLNC_WEBGPU_TESTS=require
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  _mlnc_webgpu_driver
  printf 'export VK_ICD_FILENAMES=%q\nexport LD_LIBRARY_PATH=%q\nexport MLNC_WEBGPU_TESTS=%q\n' \
    "$VK_ICD_FILENAMES" "$LD_LIBRARY_PATH" "$MLNC_WEBGPU_TESTS"
else
  _mlnc_webgpu_driver
fi
