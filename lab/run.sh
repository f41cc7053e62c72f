#!/usr/bin/env bash
# The lab: boot Debian's Linux under QEMU with emulated persistent memory and run scenarios on
# ext4 and xfs, each mounted -o dax=always and -o dax=never.
#
#   lab/run.sh SCENARIOS.txt OUTDIR
#
# Stages, each timed (OUTDIR/stages.tsv) and logged (OUTDIR/<stage>.log): setup (packages and
# the kernel, cached), executor (gcc -static), initramfs, boot (QEMU, guarded by a timeout),
# collect (the serial port's stream split into OUTDIR/kernel.txt, mounts.txt, obs.jsonl,
# trace.txt). A failure prints one line naming the stage and its log, and exits 1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scen=$(realpath "$1"); out=$(realpath -m "$2")
mkdir -p "$out"
: > "$out/stages.tsv"
BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-600}
# one CPU by default: with two, a load of a concurrent group can read a model byte (1024 real
# bytes) half written, and ext4's per-CPU preallocation made the file system's last free block
# unavailable to a write fault once (docs/lab.md); LAB_SMP=2 is there to try
SMP=${LAB_SMP:-1}

stage() { # stage NAME COMMAND...: run, time, log; stop the lab on failure
  local name=$1; shift
  local t0=$(date +%s.%N)
  echo "lab: $name" >&2
  "$@" > "$out/$name.log" 2>&1
  local rc=$?
  printf '%s\t%.1f\n' "$name" "$(echo "$(date +%s.%N) - $t0" | bc)" >> "$out/stages.tsv"
  if [ $rc -ne 0 ]; then
    echo "lab: stage $name failed (exit $rc): $(tail -1 "$out/$name.log") — log: $out/$name.log" >&2
    exit 1
  fi
}

stage setup bash "$here/setup.sh"
eval "$(grep -E '^(KVER|KPKGVER|KDIR|VMLINUX)=' "$out/setup.log")"
stage executor gcc -O1 -Wall -static -pthread -o "$out/executor" "$here/guest/executor.c"
[ "$scen" = "$out/scenarios.txt" ] || cp "$scen" "$out/scenarios.txt"
stage initramfs bash "$here/initramfs.sh" "$KDIR" "$KVER" "$out/initrd.gz" "$out/executor" "$here/mounts.txt" "$out/scenarios.txt"

# pmem: one legacy e820 region per mount (memmap=SIZE!START), above the guest's first GiB
mem=""; start=1024
while read -r name size rest; do mem="$mem memmap=${size}M!${start}M"; start=$((start + size)); done < "$here/mounts.txt"
ram=$(( (start + 511) / 512 * 512 ))
boot() {
  rm -f "$out/serial1.txt"
  timeout --foreground -k 5 "$BOOT_TIMEOUT" qemu-system-x86_64 -nographic -no-reboot -monitor none \
    -cpu max -smp "$SMP" -m "${ram}M" -kernel "$VMLINUX" -initrd "$out/initrd.gz" \
    -append "console=ttyS0 quiet panic=-1 $mem" \
    -serial stdio -serial "file:$out/serial1.txt" < /dev/null
  local rc=$?
  [ $rc -eq 124 ] && { echo "boot: no power-off within ${BOOT_TIMEOUT}s (LAB_BOOT_TIMEOUT)"; return 1; }
  return $rc
}
stage boot boot
if grep -q '^lab: FAIL' "$out/boot.log"; then
  echo "lab: the guest failed: $(grep -m1 '^lab: FAIL' "$out/boot.log" | tr -d '\r') — log: $out/boot.log" >&2; exit 1
fi
grep -q '^lab: stage done' <(tr -d '\r' < "$out/boot.log") || {
  echo "lab: the guest stopped after '$(grep '^lab: stage' "$out/boot.log" | tail -1 | tr -d '\r')' — log: $out/boot.log" >&2; exit 1; }

collect() {
  local s="$out/serial1.txt"
  grep -q '^end$' "$s" || { echo "collect: the serial stream has no end marker"; return 1; }
  sed -n 's/^kernel //p' "$s" > "$out/kernel.txt"
  echo "$KPKGVER" >> "$out/kernel.txt"
  sed -n 's/^mount //p' "$s" > "$out/mounts.txt"
  sed -n 's/^obs \([^ ]*\) /{"mount":"\1",/p' "$s" | sed 's/,{/,/' > "$out/obs.jsonl"
  sed -n 's/^trace //p' "$s" > "$out/trace.txt"
  sed -n 's/^err //p' "$s" > "$out/executor-errors.txt"
  wc -l "$out/obs.jsonl" "$out/trace.txt"
}
stage collect collect
echo "lab: done — $(paste -sd' ' "$out/stages.tsv")" >&2
