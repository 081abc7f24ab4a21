"""The benchmark script's pieces (``make bench``): JSON schema and table, never timing targets."""

import json

import nbformat
import pytest

from instructor import bench


def test_network_speed_reports_every_implementation_and_a_verdict():
    net = bench.network_speed(repeats=2)
    ms = net["ms_per_epoch"]
    assert set(ms) == {"numpy_reference", "sklearn", "torch"}
    assert ms["numpy_reference"] > 0 and ms["sklearn"] > 0
    assert net["vs_sklearn"]["sklearn"] == 1.0 and net["target"] in {"met", "missed"}
    assert "1 BLAS thread" in net["setup"] and "median of 2" in net["setup"]


def test_verdict_and_tiny_assignment(tmp_path):
    assert [bench.verdict(v, 1.0) for v in (0.5, 1.0, 1.5, None)] == ["met", "met", "missed", "n/a"]
    source, submission = bench.tiny_assignment(tmp_path)
    assert source == tmp_path / "00_tiny" / "00_tiny.ipynb"
    for path in (source, submission):
        nbformat.validate(nbformat.read(path, as_version=4))
    assert "BEGIN SOLUTION" in source.read_text() and "BEGIN SOLUTION" not in submission.read_text()


@pytest.mark.slow
def test_quick_run_writes_the_json_and_prints_the_table(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert {"cpu_count", "load_average", "python", "numpy", "timestamp"} <= set(results["machine"])
    assert set(results["targets"]) == {"notebook_s", "course_s", "grading_ratio", "reference_vs_sklearn",
                                       "jobs2_speedup"}
    [run] = results["notebooks"]
    assert run["notebook"] == "00_tiny" and run["seconds"] > 0 and run["peak_rss_mb"] > 0
    assert results["course"]["target"] in {"met", "missed"}
    [grading] = results["grading"]
    assert "error" not in grading, grading.get("error")
    assert {"per_submission_s", "fixed_s", "ratio", "batch_1_s", "batch_2_s"} <= set(grading)
    throughput = results["throughput"]
    assert "error" not in throughput, throughput.get("error")
    assert throughput["identical_scores"] is True and throughput["target"] in {"met", "missed"}
    assert set(throughput["submissions_per_minute"]) == {"sqlite_jobs1", "sqlite_jobs2", "postgresql_jobs2",
                                                         "two_machines_jobs2"}
    assert all(v > 0 for v in throughput["submissions_per_minute"].values())
    assert results["network"]["ms_per_epoch"]["sklearn"] > 0
    table = capsys.readouterr().out
    for heading in ("Notebooks", "whole course", "Grading", "Grading throughput", "JOBS=2 speed-up",
                    "Reference network", "numpy_reference"):
        assert heading in table
    assert table.count("met") + table.count("missed") >= 4
