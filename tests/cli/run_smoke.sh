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
# A bad --user is refused before any group is made; a PID that cannot be moved
# (4194304 is past this host's pid_max or names no process) removes the groups
# the run made, the parent too.
for case in "--user ok --user bad:xyz|--user: user 'bad:xyz'" \
            "--user ok --user gone:4194304|4194304"; do
  users=${case%%|*}
  expected=${case#*|}
  # shellcheck disable=SC2086
  if "$cli" run --group "$group" $users --ticks 1 --interval 0.2 --dry-run > "$log" 2>&1; then
    cat "$log"; echo "run $users succeeded"; exit 1
  fi
  cat "$log"
  grep -q "foresight run: .*$expected" "$log"
  for d in /sys/fs/cgroup/*/"$group" /sys/fs/cgroup/"$group"; do
    [ ! -d "$d" ] || { echo "left behind by $users: $d"; exit 1; }
  done
done
rm -f "$log" "$log.json"
