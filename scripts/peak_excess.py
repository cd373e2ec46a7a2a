#!/usr/bin/env python3
"""The daily peak excesses that `proactive(<method>)[memory_fleet=1]` files in its fleet pool,
per method, for the table in docs/trace/evaluate.md ("Why the fleet margin costs ETS most").

For every entity's memory series of a trace, each method is fitted and refitted as the policy
family does (daily, on the last 7 days; season one day of steps), and every sample is scored as
PeakHeadroom scores it: its excess over the mean the method issued `--lag` steps before, in units
of an exponential level over one day; each day keeps its largest excess. The first week is not
reported (the family's first-week phase floor covers it). Missing samples are dropped, so a
series with gaps is scored as if its samples were consecutive.

    PYTHONPATH=build/release/python /usr/bin/python3 scripts/peak_excess.py \\
        --trace vm200.csv --format long --methods ets,theta
"""
import argparse

import numpy as np

import foresight as fs


def daily_peak_excesses(method, y, period, lag, window):
    model = fs.make_forecaster(method, season=period, horizon=lag)
    model.fit(y[:period])
    issued = {}  # step -> the mean issued for it `lag` steps before
    level, alpha = float(np.mean(y[:period])), 2.0 / (period + 1)
    peaks = {}
    for t in range(period, len(y)):
        if t % period == 0 and t > period:
            model.fit(y[max(0, t - window):t])
        issued[t + lag - 1] = np.asarray(model.predict(lag).mean)[lag - 1]
        if t in issued:
            excess = (y[t] - issued.pop(t)) / level
            peaks[t // period] = max(peaks.get(t // period, -np.inf), excess)
        level += alpha * (y[t] - level)
        model.update(y[t:t + 1])
    return np.array([peaks[d] for d in sorted(peaks) if d >= 7])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trace", required=True)
    p.add_argument("--format", default="long")
    p.add_argument("--methods", default="ets,theta")
    p.add_argument("--lag", type=int, default=3, help="memory's lead time in steps, plus one")
    p.add_argument("--history-days", type=int, default=7)
    a = p.parse_args()
    w = fs.load_trace(a.trace, a.format)
    period = int(round(86400 / w.step_seconds))
    memory = np.asarray(w.demand)[:, :, 1]
    methods = a.methods.split(",")
    per_vm = {m: [] for m in methods}
    for u in range(w.num_users):
        y = memory[u][np.isfinite(memory[u])]
        if len(y) < 8 * period:
            continue
        for m in methods:
            per_vm[m].append(daily_peak_excesses(m, y, period, a.lag, a.history_days * period))
    for m in methods:
        pooled = np.concatenate(per_vm[m])
        medians = np.array([np.median(v) for v in per_vm[m]])
        print(f"{m}: {len(medians)} entities, {pooled.size} daily peak excesses, pooled "
              f"P50 {np.quantile(pooled, 0.5):.3f} P90 {np.quantile(pooled, 0.9):.3f} "
              f"P98 {np.quantile(pooled, 0.98):.3f}; entities with a median over 0.2: "
              f"{(medians > 0.2).sum()}")
    if len(methods) == 2:
        a_m, b_m = methods
        d = np.array([np.median(x) - np.median(y) for x, y in zip(per_vm[a_m], per_vm[b_m])])
        print(f"{a_m} - {b_m}, per-entity median: mean {d.mean():.3f}; larger by > 0.05 on "
              f"{(d > 0.05).sum()} entities, smaller by > 0.05 on {(d < -0.05).sum()}")


if __name__ == "__main__":
    main()
