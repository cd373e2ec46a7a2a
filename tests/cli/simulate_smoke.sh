#!/bin/sh
# `foresight simulate` on a small workload: table, JSON with the documented
# keys, an HTML and an SVG report; with --vpa-frontier, the frontier block and
# its JSON keys.
set -eu
cli=$1
out=$2
mkdir -p "$out"
"$cli" simulate --users 6 --days 2 --seed 3 --policies default \
  --json "$out/s.json" --report "$out/s.html" > "$out/table.txt"
"$cli" simulate --users 6 --days 2 --seed 3 --policies vpa,oracle --report "$out/s.svg" > /dev/null
grep -q "^vpa " "$out/table.txt"
grep -q "^limit changes per entity-day by resource, median (P99):$" "$out/table.txt"
grep -q "^  oracle  *cpu [0-9.]* ([0-9]*) memory " "$out/table.txt"
grep -q "^forecast calibration: share of demand at or below the quantile" "$out/table.txt"
grep -q "^  proactive  *holt_winters  *[0-9.]*% " "$out/table.txt"
grep -q "^  vpa  *(usage only)  *- " "$out/table.txt"
grep -q "^vs vpa (targets: " "$out/table.txt"
grep -q "<svg" "$out/s.html"
"$cli" simulate --users 4 --days 2 --seed 3 --policies vpa,oracle --vpa-frontier \
  --json "$out/f.json" > "$out/frontier.txt"
grep -q "^vs vpa's frontier (102 vpa tunings: " "$out/frontier.txt"
grep -q "^  oracle  *memory" "$out/frontier.txt"
grep -q "^  the frontier's safest: memory " "$out/frontier.txt"
grep -q "^  the 102 tunings: replay " "$out/frontier.txt"
grep -q "<svg" "$out/s.svg"
/usr/bin/python3 - "$out/s.json" "$out/f.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keys = ["underprovisioned_fraction", "underprovisioned_resource_seconds", "relative_slack",
        "oom_events", "oom_free_entity_days", "changes_per_entity_day_p99",
        "capacity_violations", "allocated_resource_seconds", "cost"]
for name in ["vpa", "hpa", "proactive", "oracle"]:
    p = d["policies"][name]
    for k in keys:
        assert k in p, (name, k)
    for k in ["underprovisioned_resource_seconds", "allocated_resource_seconds"]:
        assert set(p[k]) == {"cpu", "memory", "io", "net"}, (name, k)
    assert p["capacity_violations"] == 0, name
    assert 0 <= p["oom_free_entity_days"] <= 1
    assert name in d["gap_closed"]
assert abs(d["gap_closed"]["oracle"] - 1) < 1e-9
# Forecast calibration: the planning forecaster's quantiles, scored; none for vpa.
c = d["policies"]["proactive"]["quantile_coverage"]
assert d["policies"]["proactive"]["forecaster"] == "holt_winters"
assert c["cpu"]["scored"] > 0 and len(c["cpu"]["coverage"]) == len(c["levels"])
assert 0.3 < c["cpu"]["coverage"][c["levels"].index(0.5)] < 0.7, c
assert d["policies"]["vpa"]["forecaster"] is None
assert "vs_vpa" in d and "vpa_frontier" not in d
f = json.load(open(sys.argv[2]))
assert len(f["vpa_frontier"]) == 102, len(f["vpa_frontier"])
assert set(f["vs_vpa_frontier"]) == {"vpa", "oracle"}
assert f["vs_vpa_frontier"]["vpa"]["memory_ratio"] >= 1.0
PY
