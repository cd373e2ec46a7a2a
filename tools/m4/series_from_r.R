#!/usr/bin/env Rscript
# Writes M4-layout train/test CSV files (header, id, values; see
# docs/forecast/forecast_eval.md) from public series that ship inside Debian
# packages, for `foresight forecast-eval` where the M4 data cannot be fetched:
#
#   monthly  (h = 18, m = 12): R datasets AirPassengers, nottem, co2,
#            UKDriverDeaths, USAccDeaths, ldeaths, mdeaths, fdeaths;
#            forecast's gas and wineind
#   quarterly (h = 8, m = 4):  UKgas, JohnsonJohnson, austres; forecast's woolyrnq
#   hourly   (h = 48, m = 24): forecast's taylor, averaged to hours, in 3 blocks
#            of 28 days
#   hourly week (h = 48, m = 24): the same hours in 7 blocks of 28 days whose
#            test windows start on each day of the week (file HourlyWeek)
#
# The last h values of each series are its test row, as in M4. Needs r-base-core
# and r-cran-forecast (Debian 12).
#
#   Rscript tools/m4/series_from_r.R OUT_DIR
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "m4_from_r"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

write_set <- function(name, series, h) {
  width <- max(sapply(series, length)) - h
  row <- function(id, v, n) {
    cells <- c(sprintf("\"%s\"", id), format(v, digits = 15, trim = TRUE), rep("", n - length(v)))
    paste(cells, collapse = ",")
  }
  header <- function(n) paste(sprintf("\"V%d\"", seq_len(n + 1)), collapse = ",")
  train <- c(header(width), mapply(function(id, s) {
    v <- as.numeric(s)
    row(id, v[seq_len(length(v) - h)], width)
  }, names(series), series))
  test <- c(header(h), mapply(function(id, s) {
    v <- as.numeric(s)
    row(id, tail(v, h), h)
  }, names(series), series))
  writeLines(train, file.path(out, paste0(name, "-train.csv")))
  writeLines(test, file.path(out, paste0(name, "-test.csv")))
}

write_set("Monthly", list(AirPassengers = AirPassengers, nottem = nottem, co2 = co2,
                          UKDriverDeaths = UKDriverDeaths, USAccDeaths = USAccDeaths,
                          ldeaths = ldeaths, mdeaths = mdeaths, fdeaths = fdeaths,
                          gas = gas, wineind = wineind), 18)
write_set("Quarterly", list(UKgas = UKgas, JohnsonJohnson = JohnsonJohnson, austres = austres,
                            woolyrnq = woolyrnq), 8)
tay <- as.numeric(taylor)
hourly <- (tay[seq(1, length(tay) - 1, by = 2)] + tay[seq(2, length(tay), by = 2)]) / 2
blocks <- lapply(0:2, function(b) hourly[b * 672 + seq_len(672)])
names(blocks) <- sprintf("taylor%d", 1:3)
write_set("Hourly", blocks, 48)
# HourlyWeek (h = 48, m = 24): seven 28-day blocks of the same hourly taylor,
# starting 8 days apart, so that the 48 test hours begin on each day of the
# week in turn (every block of "Hourly" ends on a weekend). The blocks overlap.
week <- lapply(0:6, function(b) hourly[b * 8 * 24 + seq_len(672)])
names(week) <- sprintf("taylor_d%d", 0:6)
write_set("HourlyWeek", week, 48)
