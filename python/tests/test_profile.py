import datetime as dt

import numpy as np
import pytest

import foresight as fs

MONDAY = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc).timestamp()
STEP = 300.0


def office_user(days, seed=1):
    """Interactive office-hours user, 5-minute samples from a Monday."""
    rng = np.random.default_rng(seed)
    n = days * 288
    t = MONDAY + STEP * np.arange(n)
    hour = (np.arange(n) % 288) / 12.0
    weekday = (np.arange(n) // 288) % 7 < 5
    work = weekday & (hour >= 9) & (hour < 17)
    cpu = np.where(work, np.where(rng.random(n) < 0.5, rng.exponential(0.8, n), 0.1), 0.01)
    usage = np.stack([cpu, (0.5 + cpu) * 1e9, cpu * 1e6, cpu * 2e5], axis=1)
    return t, usage


def test_profiler_learns_shape_and_class():
    p = fs.BehaviorProfiler()
    t, usage = office_user(21)
    p.observe_series(0, t, usage)
    s = p.summary(0, MONDAY + 21 * 86400 + 10 * 3600)
    assert s.behavior == fs.BehaviorClass.interactive
    assert s.confidence == pytest.approx(1.0)
    assert s.seasonal_peak.cpu >= s.seasonal_mean.cpu > 0.3
    night = p.summary(0, MONDAY + 21 * 86400 + 3 * 3600)
    assert night.seasonal_mean.cpu < 0.05
    cls, reason = p.classify(0)
    assert cls == fs.BehaviorClass.interactive and "nearest centroid" in reason
    f = p.features(0)
    # Weekly EW: the final weekend weighs a little more than the average week.
    assert f["duty_cycle"] == pytest.approx(8 / 24 * 5 / 7, rel=0.2)
    assert p.expected_demand(0, MONDAY + 21 * 86400 + 10 * 3600).cpu == pytest.approx(s.seasonal_mean.cpu)
    assert p.slots >= 1 and p.bytes_per_slot < 8192
    day = MONDAY + 21 * 86400
    path = p.expected_demand_path(0, day, 3600, 24)
    assert path.shape == (24, 4)
    assert path[9, 0] == pytest.approx(s.seasonal_mean.cpu)       # 10:00
    assert path[2, 0] == pytest.approx(night.seasonal_mean.cpu)   # 03:00
    assert p.expected_peak(0, day + 10 * 3600).cpu == pytest.approx(s.seasonal_peak.cpu)
    assert 0 <= f["night_fraction"] < 0.2


def test_app_chain_sessions_and_datetimes():
    p = fs.BehaviorProfiler()
    t0 = dt.datetime(2024, 1, 1, 9, tzinfo=dt.timezone.utc)
    minute = dt.timedelta(minutes=5)
    k = 0
    for day in range(5):
        base = t0 + dt.timedelta(days=day)
        p.observe(0, base, [0.5, 1e9, 0, 0], events=fs.UserEvent.session_start | fs.UserEvent.app_launch, app=1)
        p.observe(0, base + minute, [0.5, 1e9, 0, 0])
        p.observe(0, base + 2 * minute, [4.0, 8e9, 0, 0], events=fs.UserEvent.app_launch, app=2)
        p.observe(0, base + 3 * minute, [4.0, 8e9, 0, 0])
        p.observe(0, base + 4 * minute, [0.1, 1e9, 0, 0], events=fs.UserEvent.session_end)
        k += 1
    assert p.next_app(0, 1) == (2, pytest.approx(1.0))
    assert p.app_demand(0, 2).cpu == pytest.approx(4.0)
    assert p.app_demand(0, 9) is None
    s = p.summary(0, t0 + dt.timedelta(days=4, minutes=20))
    assert s.last_app == 2 and not s.in_session
    assert s.expected_session_minutes > 0


def test_intents_and_workflows():
    p = fs.BehaviorProfiler()
    p.register_intent(7, "video edit", fs.ResourceVector(3, 2, 1, 1), duration_minutes=30)
    assert p.intent_effect(7)["name"] == "video edit"
    assert p.intent_effect(8) is None
    for i in range(12):
        p.observe(0, MONDAY + STEP * i, [1, 1e9, 0, 0])
    p.observe(0, MONDAY + STEP * 12, [1, 1e9, 0, 0], intent=7)
    assert p.summary(0, MONDAY + STEP * 12).intent == 7
    assert p.expected_demand(0, MONDAY + STEP * 14).cpu == pytest.approx(3.0)
    wid = p.add_workflow("etl", [("extract", fs.ResourceVector(2, 8e9), 30), ("load", fs.ResourceVector(0.5, 2e9), 60)])
    assert wid == 0
    p.assign_workflow(1, wid, MONDAY)
    assert p.workflow_match(1) == (0, 0)
    with pytest.raises(ValueError, match="already exists"):
        p.add_workflow("etl", [("x", fs.ResourceVector(1), 1)])
    with pytest.raises(ValueError, match="no stages"):
        p.add_workflow("empty", [])
    with pytest.raises(ValueError, match="no workflow template with id 5"):
        p.assign_workflow(1, 5, MONDAY)
    with pytest.raises(ValueError, match="intent 3: multiplier"):
        p.register_intent(3, "bad", fs.ResourceVector(-1), 10)


def test_bad_observations_raise_and_change_nothing():
    p = fs.BehaviorProfiler()
    p.observe(0, MONDAY, [1, 1, 1, 1])
    before = p.summary(0, MONDAY).seasonal_mean
    with pytest.raises(ValueError, match="NaN, infinite or negative"):
        p.observe(0, MONDAY + STEP, [float("nan"), 1, 1, 1])
    with pytest.raises(ValueError, match="not after the previous observation"):
        p.observe(0, MONDAY, [5, 5, 5, 5])
    with pytest.raises(ValueError, match="row 1: time is not after"):
        p.observe_series(0, np.array([MONDAY + STEP, MONDAY + STEP]), np.ones((2, 4)))
    with pytest.raises(ValueError, match="row 0: usage"):
        p.observe_series(0, np.array([MONDAY + STEP]), -np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"usage \(n, 4\)"):
        p.observe_series(0, np.array([MONDAY + STEP]), np.ones((1, 3)))
    with pytest.raises(ValueError, match="slot -1 is out of range"):
        p.observe(-1, MONDAY, [1, 1, 1, 1])
    with pytest.raises(ValueError, match="buckets"):
        fs.BehaviorProfiler(buckets=0)
    assert p.summary(0, MONDAY).seasonal_mean == before
    assert not p.observed(5)
    assert p.summary(5, MONDAY).behavior == fs.BehaviorClass.unknown
    assert fs.BehaviorProfiler.name == "behavior"
