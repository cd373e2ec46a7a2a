#!/usr/bin/env python3
"""Backtests the table in docs/forecast/backtest.md: Taylor's hourly demand
(tests/data/forecast/series.json, taylor_hourly_long), fitted on 14 days and
forecast 24 hours ahead from every later hour.

    PYTHONPATH=build/release/python /usr/bin/python3 scripts/backtest_taylor.py
"""
import json
import pathlib

import foresight as fs

ROOT = pathlib.Path(__file__).resolve().parent.parent
y = json.loads((ROOT / "tests/data/forecast/series.json").read_text())["taylor_hourly_long"]["values"]
START, H = 336, 24

models = {
    "naive": fs.LastValue(),
    "seasonal_naive": fs.SeasonalNaive(season=24),
    "holt_winters": fs.HoltWinters(season=24),
    "ets": fs.make_forecaster("ets", season=24, horizon=H),
    "conformal_ets": fs.make_forecaster("conformal_ets", season=24, horizon=H),
}
print("| model | MAE step 1 | MAE step 24 | step 1: P10 / P50 / P90 cover "
      "| step 24: P10 / P50 / P90 cover | P90 pinball, step 1 / 24 |")
print("|---|---|---|---|---|---|")
for name, model in models.items():
    r = model.backtest(y, horizon=H, start=START)
    levels = list(r["levels"])
    k = [levels.index(p) for p in (0.1, 0.5, 0.9)]
    cover = lambda s: " / ".join(f"{r['coverage'][s - 1][i]:.3f}" for i in k)
    print(f"| `{name}` | {r['mae'][0]:,.0f} | {r['mae'][H - 1]:,.0f} | {cover(1)} | {cover(H)} "
          f"| {r['pinball'][0][k[2]]:,.0f} / {r['pinball'][H - 1][k[2]]:,.0f} |")
