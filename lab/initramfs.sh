#!/usr/bin/env bash
# Stage "initramfs": the guest's whole userland in one cpio archive.
#   usage: lab/initramfs.sh KDIR KVER OUT.cpio.gz FILE...   (FILEs are copied to /lab/ in the guest)
# busybox-static as the shell and tools; the kernel modules the lab loads (with what they
# depend on, from a modules.dep that busybox's depmod writes: the .deb ships none); mke2fs and
# mkfs.xfs with their shared libraries (busybox's own mke2fs applet has no -t ext4); the guest
# script lab/guest/init and the static executor.
set -euo pipefail
kdir=$1 kver=$2 out=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
mods="$kdir/root/lib/modules/$kver"
[ -f "$mods/modules.dep" ] || /bin/busybox depmod -b "$kdir/root" "$kver"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,lab,lib/modules,lib64,lib/x86_64-linux-gnu}
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"; done

# Modules, in load order (each after what it depends on).
want="nd_pmem nd_e820 crc32c_generic ext4 xfs"
order=()
add() {
  local m=$1 dep path
  for o in "${order[@]:-}"; do [ "$o" = "$m" ] && return; done
  path=$(awk -F: -v m="/$m.ko" 'index($1, m) && substr($1, length($1) - length(m) + 1) == m { print $1; exit }' "$mods/modules.dep")
  [ -n "$path" ] || { echo "lab initramfs: module $m not in $mods/modules.dep" >&2; exit 1; }
  for dep in $(awk -F: -v p="$path" '$1 == p { print $2 }' "$mods/modules.dep"); do add "$(basename "$dep" .ko)"; done
  order+=("$m")
  cp "$mods/$path" "$root/lib/modules/$m.ko"
}
for m in $want; do add "$m"; done
printf '%s\n' "${order[@]}" > "$root/lib/modules/order"

# Dynamic binaries with their libraries.
for b in /sbin/mke2fs /sbin/mkfs.xfs; do
  cp "$b" "$root/sbin/"
  for lib in $(ldd "$b" | awk '/=>/ { print $3 } /^\t\/lib64/ { print $1 }'); do cp -L "$lib" "$root$lib"; done
done
cp /etc/mke2fs.conf "$root/etc/"

cp "$here/guest/init" "$root/init"
chmod +x "$root/init"
for f in "$@"; do cp "$f" "$root/lab/"; done
(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$out"
echo "lab initramfs: $(du -k "$out" | cut -f1) KiB, modules: ${order[*]}" >&2
