#!/usr/bin/env bash
# Stage "setup": what the lab needs from Debian, and the kernel it boots, cached under
# lab/.cache (ignored). Idempotent: a second run installs and downloads nothing.
#
#   - Debian packages: qemu-system-x86 (TCG: these machines have no usable KVM), busybox-static
#     (the guest's userland), e2fsprogs and xfsprogs (mkfs in the guest), gcc + libc6-dev (the
#     static executor). Installed with apt-get only if a command is missing.
#   - The kernel: the package linux-image-amd64 depends on (Debian 12: 6.1.0-N-amd64), fetched
#     with `apt-get download` and unpacked with `dpkg -x` into lab/.cache/kernel — never installed,
#     never into /boot. Its bzImage's payload is extracted to an uncompressed vmlinux, which QEMU
#     boots directly (PVH entry), skipping firmware and in-guest decompression.
#
# Prints KEY=VALUE lines (KVER, KDIR, VMLINUX) on stdout for lab/run.sh; progress on stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="$here/.cache"
mkdir -p "$cache"
log() { echo "lab setup: $*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else log "need root (or sudo) to run: $*"; exit 1; fi; }

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
dpkg -s busybox-static 2>/dev/null | grep -q '^Status: install ok installed' || need+=(busybox-static)
command -v mke2fs >/dev/null || [ -x /sbin/mke2fs ] || need+=(e2fsprogs)
command -v mkfs.xfs >/dev/null || [ -x /sbin/mkfs.xfs ] || need+=(xfsprogs)
command -v bc >/dev/null || need+=(bc)
command -v gcc >/dev/null || need+=(gcc)
[ -f /usr/include/stdio.h ] || need+=(libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y --no-install-recommends "${need[@]}" >&2 || {
    log "apt-get install failed; updating the package lists and trying again"
    as_root apt-get update >&2 && as_root apt-get install -y --no-install-recommends "${need[@]}" >&2
  }
fi

# The kernel package the meta-package points at today (e.g. linux-image-6.1.0-57-amd64).
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || { log "apt-cache knows no linux-image-amd64 dependency (run apt-get update)"; exit 1; }
kver=${kpkg#linux-image-}
kdir="$cache/kernel/$kver"
if [ ! -f "$kdir/.unpacked" ]; then
  log "downloading $kpkg"
  rm -rf "$kdir" && mkdir -p "$kdir/deb"
  (cd "$kdir/deb" && apt-get download "$kpkg" >&2)
  dpkg -x "$kdir"/deb/*.deb "$kdir/root"
  dpkg-deb -f "$kdir"/deb/*.deb Version > "$kdir/package-version"
  touch "$kdir/.unpacked"
fi
vmlinux="$kdir/vmlinux"
if [ ! -s "$vmlinux" ]; then
  # The bzImage's payload is xz (Debian's config); find the xz stream and unpack it: the
  # result is an ELF with a PVH note that QEMU's -kernel loads as is.
  bz="$kdir/root/boot/vmlinuz-$kver"
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | head -1 | cut -d: -f1)
  [ -n "$off" ] || { log "no xz payload in $bz"; exit 1; }
  tail -c +$((off + 1)) "$bz" | xz -dc 2>/dev/null > "$vmlinux.tmp" || true
  head -c 4 "$vmlinux.tmp" | grep -q ELF || { log "the payload of $bz is not an ELF kernel"; exit 1; }
  mv "$vmlinux.tmp" "$vmlinux"
fi
echo "KVER=$kver"
echo "KPKGVER=$(cat "$kdir/package-version")"
echo "KDIR=$kdir"
echo "VMLINUX=$vmlinux"
