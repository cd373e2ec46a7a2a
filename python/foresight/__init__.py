"""foresight: predictive allocation of CPU, memory, IO and network to users.

Python bindings of the C++ library (pybind11). Names mirror the C++ namespace
`foresight`: classes keep their C++ names (ResourceVector, HoltWinters,
BehaviorProfiler, ...), free functions are snake_case (parse_quantity, ...).
Errors carried as absl::Status in C++ raise ValueError (bad input) or
RuntimeError (anything else) with the same message.

    import foresight, numpy as np
    m = foresight.make_forecaster("holt_winters", season=24)
    f = m.fit(np.sin(np.arange(240) / 24 * 2 * np.pi)).predict(12)
    f.mean, f.quantiles                           # numpy arrays
    foresight.simulate(users=20, days=3, seed=1, policies=["vpa", "oracle"])
    foresight.evaluate("vms/", "bitbrains", warmup="1d")   # your own trace
"""
import csv as _csv
import io as _io
import json as _json

from ._foresight import *  # noqa: F401,F403
from ._foresight import __doc__ as _ext_doc  # noqa: F401
from . import _foresight

# C++ spellings of the quantity helpers.
ParseQuantity = parse_quantity  # noqa: F405
FormatQuantity = format_quantity  # noqa: F405


def simulate(users=40, days=14, seed=42, policies="default",
             contention=False, capacity_factor=0.0, failure_rate=0.0, delay_rate=0.0,
             threads=0, vpa_frontier=False):
    """Replays the built-in workload under each policy and returns the metrics
    as a dict with the keys of `foresight simulate --json`:
    {"policies": {name: {...}}, "gap_closed": {name: ...}}, and, when built
    with the trace evaluator, "gap_closed_by_metric" and "vs_vpa".

    `policies` is a list of names (see policy_names()), or "default" (vpa, hpa,
    proactive, oracle) or "all", as for the CLI. `vpa_frontier=True` also
    replays 102 tunings of vpa and adds "vpa_frontier" and "vs_vpa_frontier",
    as `--vpa-frontier` does.
    """
    if not getattr(_foresight, "has_sim", False):
        raise RuntimeError("foresight was built without the simulator (foresight_sim)")
    if isinstance(policies, str):
        policies = [policies]
    return _json.loads(_foresight._simulate_json(
        int(users), int(days), int(seed), [str(p) for p in policies], bool(contention),
        float(capacity_factor), float(failure_rate), float(delay_rate), int(threads),
        bool(vpa_frontier)))


def evaluate(trace, format, step="300s", aggregate="mean", policies=None, warmup="0s",
             hosts=0, host_capacity="", entity_capacity="", machine_capacity="",
             max_entities=0, threads=0, report=None, record=200, vpa_frontier=False,
             per_entity=False):
    """Replays a trace file or folder under each policy, as `foresight evaluate`
    does, and returns its `--json` document as a dict: simulate's keys
    ("policies", "gap_closed") plus "trace", "gap_closed_by_metric" and
    "vs_vpa" (the Pareto comparison with vpa on the same trace).

    `format` is one of long, bitbrains, azure, alibaba-machine,
    alibaba-container, google2011, google2019, planetlab. `step` and `warmup`
    are durations ("300s", "5m", "1d") or seconds. `policies` is a list of
    names (see policy_names()), "default", "all", or None for the CLI's
    default list (evaluate_default_policies). `hosts` with `host_capacity`
    ("cpu=32,memory=128Gi") switches to contention mode. Capacities use the
    CLI's syntax too. `report` ("out.html") also writes the CLI's HTML report,
    with `record` entities (evenly spread) in its per-entity plots.
    `vpa_frontier=True` also replays 102 tunings of vpa and adds "vpa_frontier"
    (their metrics) and "vs_vpa_frontier" (each policy against the cheapest
    tuning at least as safe), as `--vpa-frontier` does. `per_entity=True` adds
    "per_entity": one dict per entity and policy (`--per-entity`'s columns:
    days, oom_free_days, oom_events, throttled_cpu_seconds, allocated and
    demanded CPU core-seconds and memory byte-seconds; None where the trace
    does not record the resource).
    """
    if not getattr(_foresight, "has_evaluate", False):
        raise RuntimeError("foresight was built without the trace evaluator (foresight_evaluate)")
    if isinstance(policies, str):
        policies = [policies]

    def span(x):
        return x if isinstance(x, str) else f"{float(x)}s"
    out = _json.loads(_foresight._evaluate_json(
        str(trace), str(format), span(step), str(aggregate),
        [str(p) for p in (policies or [])], span(warmup), int(hosts), str(host_capacity),
        str(entity_capacity), str(machine_capacity), int(max_entities), int(threads),
        str(report or ""), int(record), bool(vpa_frontier), bool(per_entity)))
    if per_entity:
        out["per_entity"] = _csv_rows(out.pop("per_entity_csv"), ("entity", "policy"))
    return out


def forecast_eval(train, test, methods, horizon, season=1, rolling=False, threads=0):
    """Scores registry forecasters on series in memory, as `foresight
    forecast-eval` scores M4 files, and returns its `--json` document as a dict
    plus "per_series": one dict per series and method (the `--per-series` CSV's
    columns; a score the mode or the method lacks is None).

    `train` and `test` map series ids to sequences of numbers (the test series
    need at least `horizon` values). `methods` is a list of registry names
    (forecaster_names()), with knobs as in make_forecaster ("ets[damped=0]"),
    or one comma-separated string (commas inside [...] do not split). With `rolling=True`
    each method forecasts from every test origin and learns each test value,
    as a host loop does (MASE per step ahead, coverage and pinball loss per
    quantile level); else it forecasts once from the end of the training data
    (sMAPE, MASE, OWA against naive2, MSIS and coverage of [P05, P95]).
    """
    if not getattr(_foresight, "has_forecast_eval", False):
        raise RuntimeError("foresight was built without the forecast registry")
    if isinstance(methods, str):
        methods = [methods]  # split as --method is: "a,b[k=1,j=2]" is two names
    doc, rows = _foresight._forecast_eval_json(
        {str(k): _as_floats(v) for k, v in train.items()},
        {str(k): _as_floats(v) for k, v in test.items()},
        [str(m) for m in methods], int(horizon), int(season), bool(rolling), int(threads))
    out = _json.loads(doc)
    out["per_series"] = _csv_rows(rows, ("series", "method"), flags=("failed",))
    return out


def _as_floats(values):
    return [float(v) for v in values]


def _csv_rows(text, names, flags=()):
    """CSV text as a list of dicts: the `names` columns as strings, `flags`
    as bools, the rest as floats (None for an empty field)."""
    def value(k, v):
        if k in names:
            return v
        if k in flags:
            return bool(int(v))
        return float(v) if v != "" else None
    return [{k: value(k, v) for k, v in row.items()}
            for row in _csv.DictReader(_io.StringIO(text))]


__all__ = [n for n in dir(_foresight) if not n.startswith("_")] + [
    "simulate", "evaluate", "forecast_eval", "ParseQuantity", "FormatQuantity"]
