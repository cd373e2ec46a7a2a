
import numpy as np
import pytest

import foresight as fs

pytestmark = pytest.mark.skipif(not fs.has_sim, reason="built without foresight_sim")


def test_generate_workload_shapes_and_determinism():
    w = fs.generate_workload(users=10, days=2, seed=3)
    assert w.num_users == 10 and w.num_steps == 2 * 288
    assert w.demand.shape == (10, 576, 4)
    assert w.app.shape == (10, 576)
    assert w.times.shape == (576,) and w.times[1] - w.times[0] == w.step_seconds == 300
    assert w.host_capacity.shape[1] == 4
    assert sorted({u.archetype for u in w.users}) == sorted(fs.archetypes)
    assert np.all(np.nan_to_num(w.demand) >= 0)
    again = fs.generate_workload(users=10, days=2, seed=3)
    np.testing.assert_array_equal(w.demand, again.demand)
    apps_user = [i for i, u in enumerate(w.users) if u.archetype == "apps"][0]
    assert (w.app[apps_user] >= 0).any()
    with pytest.raises(ValueError):
        fs.generate_workload(users=0)


def test_simulate_returns_the_cli_json_keys():
    r = fs.simulate(users=10, days=2, seed=5, policies=["vpa", "proactive", "oracle"], threads=1)
    assert set(r) >= {"policies", "gap_closed"}
    assert set(r["policies"]) == {"vpa", "proactive", "oracle"}
    vpa = r["policies"]["vpa"]
    for key in ["underprovisioned_fraction", "underprovisioned_resource_seconds", "relative_slack",
                "oom_events", "changes_per_entity_day_p99", "capacity_violations", "cost"]:
        assert key in vpa
    assert set(vpa["underprovisioned_resource_seconds"]) == {"cpu", "memory", "io", "net"}
    assert set(vpa["changes_per_entity_day_median_by_resource"]) == {"cpu", "memory", "io", "net"}
    oracle = r["policies"]["oracle"]
    assert max(oracle["changes_per_entity_day_p99_by_resource"].values()) <= \
        oracle["changes_per_entity_day_p99"]
    assert r["policies"]["oracle"]["capacity_violations"] == 0
    assert r["gap_closed"]["oracle"] == pytest.approx(1.0)
    # Calibration of the forecasts proactive planned on; vpa plans from usage alone.
    coverage = r["policies"]["proactive"]["quantile_coverage"]
    assert r["policies"]["proactive"]["forecaster"] == "holt_winters"
    assert coverage["cpu"]["scored"] > 0
    assert len(coverage["memory"]["coverage"]) == len(coverage["levels"])
    assert r["policies"]["vpa"]["forecaster"] is None
    if getattr(fs._foresight, "has_evaluate", False):
        assert r["vs_vpa"]["oracle"]["oom_free_entity_days"] == \
            pytest.approx(oracle["oom_free_entity_days"])
        assert "vpa_frontier" not in r
    again = fs.simulate(users=10, days=2, seed=5, policies=["vpa", "proactive", "oracle"], threads=1)

    def scored(result):  # everything but wall-clock timings
        return {n: {k: v for k, v in m.items()
                    if k not in ("seconds", "slowest_tick_seconds") and "ns_per" not in k}
                for n, m in result["policies"].items()}
    assert scored(again) == scored(r)


def test_simulate_with_vpa_frontier_prices_policies_at_vpa_tunings():
    if not getattr(fs._foresight, "has_evaluate", False):
        pytest.skip("built without the trace evaluator")
    r = fs.simulate(users=4, days=2, seed=3, policies=["vpa", "oracle"], threads=2,
                    vpa_frontier=True)
    assert len(r["vpa_frontier"]) == 102
    # vpa's defaults are one of the tunings: its own match costs no less.
    assert r["vs_vpa_frontier"]["vpa"]["memory_ratio"] >= 1.0
    assert set(r["vs_vpa_frontier"]["oracle"]) >= {"memory_ratio", "memory_match",
                                                   "memory_beyond_frontier", "cpu_ratio"}


def test_simulate_default_policies_as_the_cli():
    r = fs.simulate(users=5, days=1, seed=2, threads=1)
    assert set(r["policies"]) == {"vpa", "hpa", "proactive", "oracle"}


def test_simulate_takes_tuned_policy_names():
    tuned = "track+fleet+damped[cpu_level=0.6]"
    r = fs.simulate(users=6, days=2, seed=4, policies=["track+fleet+damped", tuned], threads=1)
    base, lean = r["policies"]["track+fleet+damped"], r["policies"][tuned]
    assert lean["allocated_resource_seconds"]["cpu"] < base["allocated_resource_seconds"]["cpu"]
    with pytest.raises(ValueError, match="unknown knob 'cpu'"):
        fs.simulate(users=4, days=1, policies=["track+fleet+damped[cpu=0.5]"])


def test_simulate_takes_proactive_method_names():
    fam = fs.policy_families()["proactive"]
    assert fam["argument"] == "<method>"
    assert fam["knobs"]["memory_level"] == 0.9999
    assert fam["knobs"]["stagger"] == 1 and fam["knobs"]["memory_peak_hours"] == 0
    assert fam["knobs"]["memory_fleet"] == 0 and fam["knobs"]["damping"] == 0
    names = ["proactive(holt_winters)", "proactive(holt_winters)[cpu_level=0.6]"]
    r = fs.simulate(users=4, days=2, seed=4, policies=names, threads=1)
    base, lean = r["policies"][names[0]], r["policies"][names[1]]
    assert lean["allocated_resource_seconds"]["cpu"] < base["allocated_resource_seconds"]["cpu"]
    assert base["forecaster"] == "conformal"
    with pytest.raises(ValueError, match="unknown forecasting method 'nosuch'"):
        fs.simulate(users=4, days=1, policies=["proactive(nosuch)"])


def test_simulate_proactive_damping_changes_limits_less_often():
    names = ["proactive(holt_winters)", "proactive(holt_winters)[damping=1]"]
    r = fs.simulate(users=4, days=2, seed=4, policies=names, threads=1)
    plain, damped = (r["policies"][n]["changes_per_entity_day_median_by_resource"] for n in names)
    for resource in ("cpu", "memory", "io", "net"):
        assert damped[resource] < plain[resource]
    assert r["policies"][names[1]]["capacity_violations"] == 0
    with pytest.raises(ValueError, match="damping must be 0 or 1"):
        fs.simulate(users=4, days=1, policies=["proactive(holt_winters)[damping=2]"])


def test_simulate_errors():
    with pytest.raises(ValueError, match="nope"):
        fs.simulate(users=4, days=1, policies=["nope"])
    with pytest.raises(ValueError, match="users must be >= 1"):
        fs.simulate(users=0, days=1, policies=["vpa"])
    assert "vpa" in fs.policy_names()


def _write_long_csv(path, w):
    """Writes a Workload as the long CSV layout (time,entity,resource,usage)."""
    import csv
    names = ["cpu", "memory", "io", "net"]
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["time", "entity", "resource", "usage"])
        for k, t in enumerate(w.times):
            for u, user in enumerate(w.users):
                for r, name in enumerate(names):
                    v = w.demand[u, k, r]
                    if np.isfinite(v):
                        out.writerow([int(t), user.name, name, repr(float(v))])


def test_evaluate_and_load_trace_like_the_cli(tmp_path):
    if not fs.has_evaluate:
        pytest.skip("built without foresight_evaluate")
    w = fs.generate_workload(users=3, days=2, seed=4)
    path = tmp_path / "usage.csv"
    _write_long_csv(path, w)

    loaded = fs.load_trace(str(path), "long", step="5m")
    assert loaded.num_users == 3 and loaded.num_steps == w.num_steps
    index = {u.name: i for i, u in enumerate(w.users)}
    order = [index[u.name] for u in loaded.users]
    np.testing.assert_allclose(
        np.nan_to_num(loaded.demand), np.nan_to_num(w.demand[order]), rtol=1e-9)

    r = fs.evaluate(str(path), "long", warmup="1d", threads=1,
                    policies=["vpa", "track+smooth+damped", "oracle"])
    assert set(r) >= {"policies", "gap_closed", "trace", "vs_vpa", "gap_closed_by_metric"}
    assert set(r["policies"]) == {"vpa", "track+smooth+damped", "oracle"}
    assert r["trace"]["entities"] == 3 and r["trace"]["format"] == "long"
    assert r["trace"]["warmup_seconds"] == 86400
    assert r["vs_vpa"]["oracle"]["allocated_memory_ratio"] < 1.0
    assert r["vs_vpa"]["oracle"]["oom_free_entity_days"] == 1.0
    assert all(p["capacity_violations"] == 0 for p in r["policies"].values())
    assert "vs_vpa_frontier" not in r and "per_entity" not in r
    # Per entity: three entities times three policies; their OOMs and
    # allocations add up to each policy's.
    e = fs.evaluate(str(path), "long", warmup="1d", threads=1,
                    policies=["vpa", "track+smooth+damped", "oracle"], per_entity=True)
    rows = e["per_entity"]
    assert len(rows) == 9 and "per_entity_csv" not in e
    for name, p in e["policies"].items():
        mine = [x for x in rows if x["policy"] == name]
        assert len(mine) == 3
        assert sum(x["oom_events"] for x in mine) == p["oom_events"]
        assert sum(x["allocated_memory_byte_seconds"] for x in mine) == pytest.approx(
            p["allocated_resource_seconds"]["memory"], rel=1e-9)
    assert all(x["oom_free_days"] == x["days"] for x in rows if x["policy"] == "oracle")
    # VPA's frontier: 102 tunings, the oracle beyond it on memory (no tuning is
    # as OOM-free) or at least no more expensive than the tuning that is.
    f = fs.evaluate(str(path), "long", warmup="1d", threads=1, policies=["vpa", "oracle"],
                    vpa_frontier=True)
    assert len(f["vpa_frontier"]) == 102
    assert "vpa[memory_percentile=0.9,cpu_percentile=0.9,margin=0.15]" in f["vpa_frontier"]
    o = f["vs_vpa_frontier"]["oracle"]
    assert o["memory_beyond_frontier"] or o["memory_ratio"] <= 1.0
    v = f["vs_vpa_frontier"]["vpa"]
    assert v["memory_ratio"] >= 1.0 and v["memory_match"].startswith("vpa[")  # its twin is in the grid
    # Seconds for spans, and contention mode.
    c = fs.evaluate(str(path), "long", warmup=3600, threads=1, policies="vpa",
                    hosts=1, host_capacity="cpu=64,memory=256Gi")
    assert c["trace"]["mode"] == "contention" and c["trace"]["warmup_seconds"] == 3600
    assert "track+smooth+damped" in fs.evaluate_default_policies
    assert "track+fleet+damped" in fs.evaluate_default_policies
    html = tmp_path / "report.html"
    fs.evaluate(str(path), "long", warmup="1d", threads=1, policies=["vpa", "oracle"],
                report=str(html), record=2)
    page = html.read_text()
    assert "<svg" in page and "memory: allocation vs OOM-free entity-days" in page
    with pytest.raises(ValueError, match="report must end in .html"):
        fs.evaluate(str(path), "long", policies="vpa", report=str(tmp_path / "r.txt"))


def test_evaluate_errors_name_the_problem(tmp_path):
    if not fs.has_evaluate:
        pytest.skip("built without foresight_evaluate")
    with pytest.raises(ValueError, match="unknown trace format 'swf'"):
        fs.evaluate(str(tmp_path), "swf")
    with pytest.raises(ValueError, match="warmup"):
        fs.evaluate(str(tmp_path), "long", warmup="soon")
    with pytest.raises(ValueError, match="needs both hosts and host_capacity"):
        fs.evaluate(str(tmp_path), "long", hosts=2)
    with pytest.raises(ValueError, match="aggregate"):
        fs.load_trace(str(tmp_path), "long", aggregate="median")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,entity,resource,usage\n1700000000,a,cpu,-1\n")
    with pytest.raises(ValueError, match="bad.csv:2"):
        fs.evaluate(str(bad), "long", policies="vpa")
