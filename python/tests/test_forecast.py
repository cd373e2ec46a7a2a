import numpy as np
import pytest

import foresight as fs


def daily(n, season=24, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + 5 * np.sin(2 * np.pi * t / season) + rng.normal(0, 0.3, n)


@pytest.mark.parametrize("model", [
    fs.LastValue(),
    fs.SeasonalNaive(season=24),
    fs.HoltWinters(season=24, alpha=0.3),
    fs.make_forecaster("naive"),
    fs.make_forecaster("seasonal_naive", season=24),
    fs.make_forecaster("holt_winters", season=24, gamma=0.3),
])
def test_forecasters_fit_update_predict(model):
    y = daily(24 * 10)
    assert model.fit(y[:-24]) is model
    model.update(y[-24:-1]).update(float(y[-1]))
    assert model.samples == len(y)
    f = model.predict(12)
    assert f.horizon == 12
    assert f.mean.shape == (12,)
    assert f.quantiles.shape == (12, len(f.levels))
    assert np.all(np.isfinite(f.quantiles))
    assert np.all(np.diff(f.quantiles, axis=1) >= 0)
    assert 0.0 <= f.confidence <= 1.0
    assert f.quantile(1, 0.5) == pytest.approx(np.interp(0.5, f.levels, f.quantiles[0]))


def test_seasonal_models_beat_last_value_on_a_daily_series():
    y = daily(24 * 12, seed=3)
    train, test = y[:-24], y[-24:]
    errors = {}
    for name in ["naive", "seasonal_naive", "holt_winters"]:
        m = fs.make_forecaster(name, **({} if name == "naive" else {"season": 24}))
        errors[name] = np.mean(np.abs(m.fit(train).predict(24).mean - test))
    assert errors["seasonal_naive"] < 0.5 * errors["naive"]
    assert errors["holt_winters"] < 0.5 * errors["naive"]


def test_cold_model_predicts_zero_confidence():
    f = fs.HoltWinters().predict(3)
    assert f.confidence == 0.0
    assert np.all(f.mean == 0)


def test_dispatcher_and_errors():
    m = fs.make_forecaster("hw", season=12)
    assert isinstance(m, fs.Forecaster)
    assert m.name == "holt_winters"
    assert fs.make_forecaster("snaive").name == "snaive"
    with pytest.raises(ValueError, match="unknown forecaster 'arima9'"):
        fs.make_forecaster("arima9")
    with pytest.raises(ValueError, match="unknown parameter 'sesaon'"):
        fs.make_forecaster("holt_winters", sesaon=24)
    with pytest.raises(ValueError, match="season must be >= 1"):
        fs.make_forecaster("seasonal_naive", season=0)
    with pytest.raises(ValueError, match="alpha must be in"):
        fs.make_forecaster("holt_winters", alpha=1.5)
    with pytest.raises(ValueError, match="must be an integer"):
        fs.make_forecaster("holt_winters", season="daily")
    with pytest.raises(ValueError, match="alpha must be in"):
        fs.HoltWinters(alpha=0)


def test_bad_input_raises_and_keeps_state():
    m = fs.LastValue().fit([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="not finite"):
        m.fit([1.0, float("nan")])
    with pytest.raises(ValueError, match="not finite"):
        m.update([4.0, float("inf")])
    assert m.predict(1).mean[0] == 3.0
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        m.predict(0)
    with pytest.raises(ValueError, match="one-dimensional"):
        m.fit(np.zeros((2, 2)))
    with pytest.raises(IndexError):
        m.predict(2).quantile(3, 0.5)


def test_registry_methods_through_the_dispatcher():
    names = fs.forecaster_names()
    assert names[:3] == ["naive", "seasonal_naive", "holt_winters"]
    extra = [n for n in ["markov", "ensemble", "arima", "ets", "theta"] if n in names]
    if not extra:
        pytest.skip("built without the forecasting registry")
    y = daily(24 * 8, seed=5)
    for name in extra + ["conformal_holt_winters"]:
        m = fs.make_forecaster(name, season=24, horizon=6)
        assert m.name == name
        f = m.fit(y).predict(6)
        assert f.mean.shape == (6,) and np.all(np.isfinite(f.quantiles))
        assert np.all(np.diff(f.quantiles, axis=1) >= 0)
    with pytest.raises(ValueError, match="unknown parameter 'alpha'"):
        fs.make_forecaster(extra[0], alpha=0.5)


def test_registry_knobs_in_the_name():
    if "ensemble" not in fs.forecaster_names():
        pytest.skip("built without the forecasting registry")
    y = daily(24 * 10, seed=6)
    tuned = fs.make_forecaster("ensemble[horizon=6, quantile_stride=0]", season=24, horizon=12)
    assert tuned.name == "ensemble[horizon=6, quantile_stride=0]"
    plain = fs.make_forecaster("ensemble", season=24, horizon=12)
    a, b = tuned.fit(y).predict(12), plain.fit(y).predict(12)
    assert np.all(np.isfinite(a.quantiles))
    assert not np.array_equal(a.quantiles, b.quantiles)
    with pytest.raises(ValueError, match="unknown knob 'horizn'"):
        fs.make_forecaster("ensemble[horizn=6]", season=24)
    with pytest.raises(ValueError, match="knob 'power' needs a number, got 'x'"):
        fs.make_forecaster("ensemble[power=x]", season=24)


def test_registry_knobs_as_keyword_arguments():
    if "ets" not in fs.forecaster_names():
        pytest.skip("built without the forecasting registry")
    knobs = fs.forecaster_knobs("holt_winters")
    assert list(knobs) == ["alpha", "beta", "gamma", "phi"]
    assert "(default 0.2)" in knobs["alpha"] and "in [0, 1]" in knobs["alpha"]
    wrapped = fs.forecaster_knobs("conformal_ets")
    assert list(wrapped)[:4] == ["window", "calibration", "min_residuals", "tail_fraction"]
    assert "damped" in wrapped
    assert fs.forecaster_knobs("nope") == {}
    y = daily(24 * 10, seed=7)
    # A keyword argument is the knob in the name, after the name's own.
    a = fs.make_forecaster("conformal_ets", season=24, horizon=6, window=50, damped=0)
    assert a.name == "conformal_ets[window=50,damped=0]"
    b = fs.make_forecaster("conformal_ets[window=50]", season=24, horizon=6, damped=0)
    assert b.name == "conformal_ets[window=50,damped=0]"
    c = fs.make_forecaster("multi_seasonal[]", season=24, tune=False, alpha=0.3)
    assert c.name == "multi_seasonal[tune=0,alpha=0.3]"
    fa, fb = a.fit(y).predict(6), b.fit(y).predict(6)
    assert np.array_equal(fa.quantiles, fb.quantiles)
    plain = fs.make_forecaster("conformal_ets", season=24, horizon=6).fit(y).predict(6)
    assert not np.array_equal(fa.quantiles, plain.quantiles)
    with pytest.raises(ValueError, match="alpha must be in \\[0, 1\\], got 1.5"):
        fs.make_forecaster("multi_seasonal", tune=0, alpha=1.5)
    with pytest.raises(ValueError, match="unknown parameter 'alpah'.*alpha, beta, gamma, phi"):
        fs.make_forecaster("conformal_holt_winters", alpah=0.3)


def test_ewma_auto_smooths_a_noisy_rate_and_keeps_an_on_off_one():
    names = fs.forecaster_names()
    if "ewma_auto" not in names:
        pytest.skip("built without the forecasting registry")
    rng = np.random.default_rng(9)
    noisy = 10 * rng.lognormal(0.0, 0.4, 1500)
    onoff = np.where((np.arange(1500) // 37) % 2 == 0, 100.0, 0.0) + np.abs(rng.normal(0, 1, 1500))

    def one_step_mae(name, y):
        m = fs.make_forecaster(name, **({} if name == "naive" else {"horizon": 1})).fit(y[:1000])
        err = 0.0
        for v in y[1000:]:
            err += abs(v - m.predict(1).mean[0])
            m.update(float(v))
        return err / (len(y) - 1000)

    assert one_step_mae("ewma_auto", noisy) < 0.85 * one_step_mae("naive", noisy)
    assert one_step_mae("ewma_auto", onoff) == pytest.approx(one_step_mae("naive", onoff))
    assert fs.make_forecaster("ewma", horizon=1).name == "ewma"


def test_backtest_scores_by_rolling_origin_by_hand():
    # LastValue forecasts the last value seen for every step: origins 1, 2, 3
    # forecast 1, 2, 4; step 1 targets 2, 4, 7 and step 2 targets 4, 7.
    m = fs.LastValue()
    r = m.backtest(np.array([1.0, 2.0, 4.0, 7.0]), horizon=2, start=1)
    assert list(r["scored"]) == [3, 2]
    assert r["mae"] == pytest.approx([2.0, 4.0])
    assert r["rmse"] == pytest.approx([np.sqrt(14 / 3), np.sqrt(17)])
    assert r["coverage"].shape == (2, len(r["levels"]))
    assert r["pinball"].shape == (2, len(r["levels"]))
    assert np.all(np.diff(r["coverage"], axis=1) >= 0)  # higher levels cover more
    assert m.samples == 0  # the model's own state is untouched


def test_backtest_of_a_conformal_model_is_calibrated():
    rng = np.random.default_rng(5)
    y = 100 + np.cumsum(rng.normal(0, 1, 4000))
    r = fs.make_forecaster("conformal_naive", horizon=2).backtest(y, horizon=2, start=200)
    levels = list(r["levels"])
    for p in (0.1, 0.5, 0.9):
        k = levels.index(p)
        assert abs(r["coverage"][0, k] - p) < 0.03, (p, r["coverage"][0, k])
    assert r["rmse"][0] == pytest.approx(1.0, rel=0.06)


def test_backtest_errors():
    m = fs.HoltWinters(season=4)
    with pytest.raises(ValueError, match="value 2 is not finite"):
        m.backtest(np.array([1.0, 2.0, np.nan, 3.0]))
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        m.backtest(np.arange(10.0), horizon=0)
    with pytest.raises(ValueError, match="exceeds the series' length"):
        m.backtest(np.arange(10.0), horizon=10**9)
    with pytest.raises(ValueError, match="start"):
        m.backtest(np.arange(10.0), start=11)
    with pytest.raises(ValueError, match="start must be >= 0"):
        m.backtest(np.arange(10.0), start=-1)
    with pytest.raises(ValueError, match="one-dimensional"):
        m.backtest(np.zeros((3, 3)))


def test_error_quantiles_follow_a_fall_in_scale_unless_told_not_to():
    # A burst (noise sd 10) then 1,500 calm samples (sd 1): quantiles tracked in
    # units of the running MAE narrow with it, quantiles tracked in the series'
    # units keep most of the burst's width.
    rng = np.random.default_rng(7)
    y = 100 + np.concatenate([rng.normal(0, 10, 1500), rng.normal(0, 1, 1500)])
    width = {}
    for follow in (True, False):
        m = fs.make_forecaster("naive", follow_scale=follow)
        m.fit(y)
        f = m.predict(1)
        width[follow] = f.quantile(1, 0.95) - f.quantile(1, 0.05)
    # Last value of i.i.d. noise: the error has sd sqrt(2), P05..P95 is 4.65.
    assert 3.0 < width[True] < 7.0, width
    assert width[False] > 2 * width[True], width
    with pytest.raises(ValueError, match="follow_scale.*True or False"):
        fs.make_forecaster("naive", follow_scale="yes")
    assert fs.SeasonalNaive(season=4, follow_scale=False).predict(1) is not None


# The CLI tests' fixture series (tests/cli/forecast_eval_data), as dicts.
EVAL_TRAIN = {"H1": [10, 20, 30, 11, 21, 31, 12, 22, 32, 13, 23, 33],
              "H2": [5, 6, 7, 8, 9, 10, 11, 12],
              "H3": [1, 4, 1, 4, 1, 4, 1, 4, 1, 4]}
EVAL_TEST = {"H1": [14, 24, 34], "H2": [13, 14, 15], "H3": np.array([1.0, 4.0, 1.0])}


def test_forecast_eval_scores_series_in_memory_as_the_cli():
    if not getattr(fs, "has_forecast_eval", False):
        pytest.skip("built without the forecast registry")
    r = fs.forecast_eval(EVAL_TRAIN, EVAL_TEST, "naive,snaive", horizon=3, season=3)
    assert r["methods"]["snaive"]["mase"] == pytest.approx(1.0, rel=1e-12)
    rows = r["per_series"]
    assert [(x["series"], x["method"]) for x in rows] == [
        (s, m) for s in ("H1", "H2", "H3") for m in ("naive", "snaive")]
    # naive: H1 forecasts 33 for 14, 24, 34 on scale 1; H2 and H3 2/3.
    assert rows[0]["mase"] == pytest.approx(29 / 3, rel=1e-9)
    assert rows[2]["mase"] == pytest.approx(2 / 3, rel=1e-9)
    assert rows[0]["failed"] is False and rows[0]["msis90"] is not None and "mase_1" not in rows[0]
    mean = sum(x["mase"] for x in rows if x["method"] == "naive") / 3
    assert mean == pytest.approx(r["methods"]["naive"]["mase"], rel=1e-9)
    # A comma inside a method's knobs does not split the string.
    tuned = fs.forecast_eval(EVAL_TRAIN, EVAL_TEST, "naive,holt_winters[alpha=0.5, gamma=0.1]",
                             horizon=3, season=3)
    assert set(tuned["methods"]) == {"naive", "holt_winters[alpha=0.5, gamma=0.1]"}
    assert tuned["methods"]["holt_winters[alpha=0.5, gamma=0.1]"]["smape"] == pytest.approx(
        29.7198, abs=1e-4)  # as the CLI test cli_forecast_eval_method_knobs

    rolled = fs.forecast_eval(EVAL_TRAIN, EVAL_TEST, ["naive"], horizon=3, season=3, rolling=True)
    assert rolled["mode"] == "rolling"
    assert rolled["methods"]["naive"]["scored_by_step"] == [9, 6, 3]
    # One step ahead: H1 misses 19, 10, 10 (scale 1), H2 1 each (scale 3), H3 3 each (3).
    assert [x["mase_1"] for x in rolled["per_series"]] == pytest.approx([13, 1 / 3, 1], rel=1e-9)


def test_forecast_eval_errors():
    if not getattr(fs, "has_forecast_eval", False):
        pytest.skip("built without the forecast registry")
    with pytest.raises(ValueError, match="fewer than --horizon 4"):
        fs.forecast_eval(EVAL_TRAIN, EVAL_TEST, ["naive"], horizon=4)
    with pytest.raises(ValueError, match="missing from the test"):
        fs.forecast_eval(EVAL_TRAIN, {"H1": [1, 2, 3]}, ["naive"], horizon=3)
    with pytest.raises((ValueError, RuntimeError), match="bogus"):
        fs.forecast_eval(EVAL_TRAIN, EVAL_TEST, ["bogus"], horizon=3)
