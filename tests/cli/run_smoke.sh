#!/bin/sh
# `foresight run` (the daemon loop) for two ticks on a cgroup of its own, in
# dry-run mode, then checks the group is gone. Skipped (77) without writable
# cgroup v1 cpu/memory hierarchies or a v2 hierarchy with controllers.
set -eu
cli=$1
writable=no
for d in /sys/fs/cgroup/cpu /sys/fs/cgroup/memory /sys/fs/cgroup; do
  [ -w "$d" ] && writable=yes
done
[ "$writable" = yes ] || exit 77
group="foresight-ctest-run-$$"
log=$(mktemp)
if ! "$cli" run --group "$group" --user smoke --ticks 2 --interval 0.2 --dry-run \
     --log "$log.json" > "$log" 2>&1; then
  cat "$log"
  if grep -qiE "no cgroup|not mounted|unsupported|read-only" "$log"; then exit 77; fi
  exit 1
fi
cat "$log"
grep -q "tick 1: 1 users" "$log"
# The groups the run created are removed at exit.
for d in /sys/fs/cgroup/*/"$group"/smoke /sys/fs/cgroup/"$group"/smoke; do
  [ ! -d "$d" ] || { echo "left behind: $d"; exit 1; }
done
rm -f "$log" "$log.json"
