"""Benchmarks (``make bench``): course run time, peak memory, grading overhead, network speed.

Measured side by side in one run and written to ``artifacts/bench/bench.json`` with the machine
they ran on; a table with every target marked met/missed is printed. Nothing here is a test:
timings depend on the machine and its load (the JSON records the load average before and after).

- every solution notebook, run with papermill on a temp copy: wall time (kernel start included)
  and peak memory, the summed RSS of the kernel's process tree sampled by a thread;
- autograding: ``grade_assignment`` on scratch courses holding 1 and N copies of the example
  student ada's full solution; the difference gives seconds per submission and the fixed cost;
- grading throughput (submissions per minute) of ``make grade`` on 8 copies of ada's notebook 01:
  one machine with JOBS=1 and JOBS=2 on SQLite, JOBS=2 on a throwaway PostgreSQL server, and two
  course copies ("machines", JOBS=2 each, 8 submissions each) grading at the same time into one
  PostgreSQL gradebook - on this one machine they share its cores, so that figure measures the
  overhead of the shared gradebook, not the speed of two machines;
- the reference network (helpers.nn / optim / train) vs scikit-learn's MLPClassifier (one epoch
  = one ``partial_fit``) vs PyTorch when it is importable, on one BLAS thread.

``--quick`` runs the same pieces on a 2-cell assignment with 2 network repeats (for the tests).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import numpy as np
import papermill
import psutil
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "artifacts" / "bench" / "bench.json"
ADA = ROOT / "examples" / "submissions" / "ada"
TARGETS = {"notebook_s": 30.0, "course_s": 120.0, "grading_ratio": 1.3, "reference_vs_sklearn": 0.6,
           "jobs2_speedup": 1.8}
THROUGHPUT_COPIES = 8
SAMPLE_S = 0.05
SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


# ---------------------------------------------------------------- machine and targets

def machine_info() -> dict:
    """Where and when the numbers were taken."""
    import sklearn

    return {"timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(), "load_average": list(os.getloadavg()),
            "platform": platform.platform(), "python": platform.python_version(),
            "numpy": np.__version__, "sklearn": sklearn.__version__}


def verdict(value: float | None, limit: float) -> str:
    """'met' when value <= limit, 'missed' above it, 'n/a' when nothing was measured."""
    if value is None:
        return "n/a"
    return "met" if value <= limit else "missed"


# ---------------------------------------------------------------- notebooks: time and memory

class PeakRSS:
    """Peak of the summed RSS of this process's children (the kernel tree), sampled in a thread.

    The list of child processes is refreshed every 10 samples (every sample while it is empty);
    their RSS is read every SAMPLE_S seconds.
    A peak shorter than the sampling interval can be missed.
    """

    def __init__(self, interval: float = SAMPLE_S):
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        me, children, tick = psutil.Process(), [], 0
        while not self._stop.is_set():
            if not children or tick % 10 == 0:
                children = me.children(recursive=True)
            self.peak = max(self.peak, sum(_rss(p) for p in children))
            tick += 1
            self._stop.wait(self.interval)


def _rss(process: psutil.Process) -> int:
    """Resident set size of a process in bytes, 0 once it has gone."""
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def run_notebook(path: Path, kernel: str) -> dict:
    """Run ``path`` with papermill on a temp copy (cwd = its folder): wall seconds and peak MB."""
    with tempfile.TemporaryDirectory() as tmp, PeakRSS() as memory:
        start = time.perf_counter()
        papermill.execute_notebook(str(path), str(Path(tmp) / path.name), kernel_name=kernel,
                                   cwd=str(path.parent), progress_bar=False, execution_timeout=300)
        seconds = time.perf_counter() - start
    return {"notebook": path.stem, "seconds": round(seconds, 2),
            "peak_rss_mb": round(memory.peak / 2**20, 1),
            "target": verdict(seconds, TARGETS["notebook_s"])}


# ---------------------------------------------------------------- grading overhead

def scratch_course(dest: Path, source: Path, submission: Path, copies: int) -> Path:
    """A course at ``dest`` with one assignment (``source``) and ``copies`` students handing in
    ``submission`` (students s1, s2, ...); its own nbgrader_config.py, so its own gradebook."""
    name = source.stem
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    (dest / "solutions" / name).mkdir(parents=True)
    shutil.copy2(source, dest / "solutions" / name / source.name)
    for i in range(1, copies + 1):
        folder = dest / "submitted" / f"s{i}" / name
        folder.mkdir(parents=True)
        shutil.copy2(submission, folder / f"{name}.ipynb")
    return dest


def time_grading(source: Path, submission: Path, copies: int) -> float:
    """Seconds ``grade_assignment`` takes for ``copies`` submissions in a fresh scratch course."""
    from instructor.grade import grade_assignment

    with tempfile.TemporaryDirectory() as tmp:
        course = scratch_course(Path(tmp) / "course", source, submission, copies)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            results = grade_assignment(course, source.stem)
        seconds = time.perf_counter() - start
    failed = sorted({f"{r.status}: {r.detail}".rstrip(": ") for r in results if r.status != "graded"})
    if failed:
        raise RuntimeError(f"{source.stem} not graded ({'; '.join(failed)})")
    return seconds


def grading_overhead(source: Path, submission: Path, notebook_s: float, copies: int) -> dict:
    """Grading cost per submission from batches of 1 and ``copies``: the extra time per extra
    submission, the fixed start-up (batch of 1 minus that), and the ratio to the notebook's run."""
    one = time_grading(source, submission, 1)
    many = time_grading(source, submission, copies)
    per_submission = (many - one) / (copies - 1)
    ratio = per_submission / notebook_s
    return {"assignment": source.stem, "notebook_s": notebook_s, "copies": copies,
            "batch_1_s": round(one, 2), f"batch_{copies}_s": round(many, 2),
            "per_submission_s": round(per_submission, 2), "fixed_s": round(one - per_submission, 2),
            "batch_s_per_submission": round(many / copies, 2), "ratio": round(ratio, 2),
            "target": verdict(ratio, TARGETS["grading_ratio"])}


# ---------------------------------------------------------------- grading throughput

def _grade_scratch(course: Path, name: str, jobs: int, db_url: str = "") -> tuple[float, list]:
    """(seconds, results) of grading every submission of ``course`` in-process."""
    from instructor.grade import Options, grade_assignment, read_scores

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        results = grade_assignment(course, name, options=Options(jobs=jobs, db_url=db_url))
    seconds = time.perf_counter() - start
    failed = sorted({f"{r.status}: {r.detail}".rstrip(": ") for r in results if r.status != "graded"})
    if failed:
        raise RuntimeError(f"{name} not graded ({'; '.join(failed)})")
    cells = [read_scores(course, name, r.student, db_url) for r in results]
    return seconds, [(r.student, r.score, r.flags, c) for r, c in zip(results, cells)]


def _machines_at_once(courses: list[Path], db_url: str) -> float:
    """Seconds until every course copy ("machine") has graded its submissions with JOBS=2 into db_url."""
    import subprocess

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    runs = [subprocess.Popen([sys.executable, "-m", "instructor.grade", "--jobs", "2", "--db", db_url,
                              "--course", str(c)], cwd=c, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True) for c in courses]
    errors = [run.communicate()[1] for run in runs]
    seconds = time.perf_counter() - start
    if any(run.returncode for run in runs):
        raise RuntimeError("a machine failed: " + " | ".join(e[-300:] for e in errors if e))
    return seconds


def grading_throughput(source: Path, submission: Path, copies: int = THROUGHPUT_COPIES) -> dict:
    """Submissions per minute of ``make grade`` (see the module docstring) and the JOBS=2 speed-up."""
    from instructor.throwaway_postgres import ThrowawayPostgres

    name, runs = source.stem, {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        runs["sqlite_jobs1"] = _grade_scratch(scratch_course(tmp / "j1", source, submission, copies), name, 1)
        runs["sqlite_jobs2"] = _grade_scratch(scratch_course(tmp / "j2", source, submission, copies), name, 2)
        with ThrowawayPostgres() as server:
            runs["postgresql_jobs2"] = _grade_scratch(scratch_course(tmp / "pg", source, submission, copies),
                                                      name, 2, server.create_database("one_machine"))
            machines = [scratch_course(tmp / f"m{i}", source, submission, copies) for i in (1, 2)]
            for i, course in enumerate(machines, 1):   # distinct students on each machine
                for folder in sorted((course / "submitted").iterdir()):
                    folder.rename(folder.with_name(f"m{i}{folder.name}"))
            two = _machines_at_once(machines, server.create_database("two_machines"))
    reference = [(score, flags, cells) for _, score, flags, cells in runs["sqlite_jobs1"][1]]
    identical = all([(score, flags, cells) for _, score, flags, cells in results] == reference
                    for _, results in runs.values())
    per_minute = {key: round(60 * copies / seconds, 2) for key, (seconds, _) in runs.items()}
    per_minute["two_machines_jobs2"] = round(60 * 2 * copies / two, 2)
    speedup = round(runs["sqlite_jobs1"][0] / runs["sqlite_jobs2"][0], 2)
    return {"assignment": name, "copies": copies, "cpu_count": os.cpu_count(),
            "seconds": {**{k: round(s, 2) for k, (s, _) in runs.items()}, "two_machines_jobs2": round(two, 2)},
            "submissions_per_minute": per_minute, "jobs2_speedup": speedup, "identical_scores": identical,
            "two_machines_overhead": round(1 - per_minute["two_machines_jobs2"] / per_minute["postgresql_jobs2"], 3),
            "target": "met" if speedup >= TARGETS["jobs2_speedup"] else "missed"}


# ---------------------------------------------------------------- reference network speed

def epoch_data(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n standardized wafer-test devices x 20 tests (float64) and their 0/1 labels."""
    from helpers.data import make_parametric_tests, standardize

    data = make_parametric_tests(n_devices=n, n_tests=20, seed=seed)
    return standardize(data.X)[0], data.y


def numpy_epoch(X, y):
    """One epoch of the reference MLP 20-64-32-1 (ReLU, Adam 1e-3, batch 64) via helpers.train."""
    from helpers.nn import MLP
    from helpers.optim import Adam
    from helpers.train import train

    model, optimizer, seeds = MLP([20, 64, 32, 1], hidden="relu", seed=0), Adam(1e-3), iter(range(10**9))
    return lambda: train(model, X, y, optimizer, epochs=1, batch_size=64, seed=next(seeds))


def sklearn_epoch(X, y):
    """One epoch of MLPClassifier with the same network and optimizer: one partial_fit call."""
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(64, 32), activation="relu", solver="adam", alpha=0.0,
                        batch_size=64, learning_rate_init=1e-3, random_state=0)
    return lambda: clf.partial_fit(X, y, classes=[0, 1])


def torch_epoch(X, y):
    """The same epoch in PyTorch (float64, CPU, one thread), or None when torch is not importable."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    nn = torch.nn
    net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1)).double()
    optimizer, loss_fn = torch.optim.Adam(net.parameters(), lr=1e-3), nn.BCEWithLogitsLoss()
    Xt, yt = torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(np.asarray(y, dtype=np.float64))

    def epoch():
        for idx in torch.randperm(len(Xt)).split(64):
            optimizer.zero_grad()
            loss_fn(net(Xt[idx])[:, 0], yt[idx]).backward()
            optimizer.step()
    return epoch


def median_ms(epoch, repeats: int, warmup: int = 1) -> tuple[float, float]:
    """Median (wall, CPU) milliseconds of ``epoch()`` over ``repeats`` calls after ``warmup`` calls.

    CPU time (of this process) barely moves when other jobs share the cores; wall time does.
    """
    for _ in range(warmup):
        epoch()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        epoch()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return round(statistics.median(wall) * 1e3, 2), round(statistics.median(cpu) * 1e3, 2)


def network_speed(repeats: int) -> dict:
    """ms per epoch of each implementation on one BLAS/torch thread, and ratios to scikit-learn."""
    from threadpoolctl import threadpool_limits

    X, y = epoch_data()
    with threadpool_limits(limits=1):
        epochs = {"numpy_reference": numpy_epoch(X, y), "sklearn": sklearn_epoch(X, y),
                  "torch": torch_epoch(X, y)}
        timings = {name: median_ms(run, repeats) if run else (None, None) for name, run in epochs.items()}
    ms = {name: wall for name, (wall, _) in timings.items()}
    cpu_ms = {name: cpu for name, (_, cpu) in timings.items()}
    ratios = _ratios(ms, "sklearn")
    return {"setup": f"20-64-32-1 ReLU, Adam lr 1e-3, batch 64, {len(X)} x {X.shape[1]} float64, "
                     f"1 BLAS thread (threadpoolctl; torch.set_num_threads(1)), "
                     f"median of {repeats} epochs after 1 warm-up",
            "ms_per_epoch": ms, "cpu_ms_per_epoch": cpu_ms, "vs_sklearn": ratios,
            "cpu_vs_sklearn": _ratios(cpu_ms, "sklearn"),
            "target": verdict(ratios["numpy_reference"], TARGETS["reference_vs_sklearn"])}


def _ratios(values: dict, base: str) -> dict:
    """Every value divided by ``values[base]``, to 2 decimals (None stays None)."""
    return {name: None if v is None else round(v / values[base], 2) for name, v in values.items()}


# ---------------------------------------------------------------- the quick (test) assignment

def tiny_assignment(folder: Path) -> tuple[Path, Path]:
    """A 2-cell nbgrader assignment (a solution cell and its graded check) and a solved copy."""
    meta = {"schema_version": 3, "locked": False, "task": False}
    solution = new_code_cell("### BEGIN SOLUTION\nx = sum(range(10))\n### END SOLUTION")
    solution.metadata["nbgrader"] = {**meta, "grade_id": "x", "grade": False, "solution": True}
    check = new_code_cell("assert x == 45")
    check.metadata["nbgrader"] = {**meta, "grade_id": "x_check", "grade": True, "solution": False,
                                  "locked": True, "points": 1}
    nb = new_notebook(cells=[solution, check],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    (folder / "00_tiny").mkdir(parents=True, exist_ok=True)
    source = folder / "00_tiny" / "00_tiny.ipynb"
    nbformat.write(nb, source)
    solution.source = "\n".join(l for l in solution.source.splitlines() if not SOLUTION_MARKER.match(l))
    submission = folder / "00_tiny_submission.ipynb"
    nbformat.write(nb, submission)
    return source, submission


# ---------------------------------------------------------------- run, table, json

def collect(assignments: list[tuple[Path, Path]], copies: int, repeats: int, kernel: str,
            log=print, throughput_copies: int = THROUGHPUT_COPIES) -> dict:
    """Every measurement for (solution, submission) pairs; see the module docstring."""
    results = {"machine": machine_info(), "targets": TARGETS,
               "method": {"notebook_time": f"papermill wall time incl. kernel start, kernel {kernel}",
                          "peak_memory": f"summed RSS of the kernel process tree, psutil, sampled "
                                         f"every {SAMPLE_S * 1000:.0f} ms",
                          "grading": f"instructor.grade.grade_assignment on scratch courses "
                                     f"with 1 and {copies} copies of a solved submission"}}
    results["notebooks"] = []
    for source, _ in assignments:
        log(f"running {source.stem} ...")
        results["notebooks"].append(run_notebook(source, kernel))
    total = sum(n["seconds"] for n in results["notebooks"])
    results["course"] = {"seconds": round(total, 2), "target": verdict(total, TARGETS["course_s"])}
    results["grading"] = []
    for (source, submission), run in zip(assignments, results["notebooks"]):
        log(f"grading {source.stem} (1 and {copies} submissions) ...")
        try:
            results["grading"].append(grading_overhead(source, submission, run["seconds"], copies))
        except RuntimeError as err:   # a broken grader is reported in the table, not hidden
            results["grading"].append({"assignment": source.stem, "copies": copies, "error": str(err),
                                       "target": "n/a"})
    source, submission = assignments[0]
    log(f"grading throughput ({throughput_copies} x {source.stem}: JOBS=1/2, SQLite/PostgreSQL, two machines) ...")
    try:
        results["throughput"] = grading_throughput(source, submission, throughput_copies)
    except Exception as err:   # e.g. PostgreSQL not installed: reported, never hidden
        results["throughput"] = {"assignment": source.stem, "error": f"{type(err).__name__}: {err}",
                                 "target": "n/a"}
    log("timing the reference network ...")
    results["network"] = network_speed(repeats)
    results["load_average_after"] = list(os.getloadavg())
    return results


def render_table(results: dict) -> str:
    """The human-readable summary of ``collect``'s results, one target column per section."""
    t, lines = results["targets"], []
    lines.append(f"Notebooks ({results['method']['notebook_time']}; peak memory: "
                 f"{results['method']['peak_memory']})")
    lines.append(f"  {'notebook':<34}{'wall s':>8}{'peak MB':>9}  target <= {t['notebook_s']:g} s")
    for n in results["notebooks"]:
        lines.append(f"  {n['notebook']:<34}{n['seconds']:>8.1f}{n['peak_rss_mb']:>9.0f}  {n['target']}")
    course = results["course"]
    lines.append(f"  {'whole course':<34}{course['seconds']:>8.1f}{'':>9}  {course['target']} "
                 f"(target <= {t['course_s']:g} s)")
    copies = results["grading"][0]["copies"] if results["grading"] else 0
    lines.append(f"\nGrading ({results['method']['grading']}; s/sub = extra seconds per extra "
                 f"submission, fixed = batch of 1 minus that)")
    lines.append(f"  {'assignment':<34}{'nb s':>7}{'s/sub':>7}{'ratio':>7}{'fixed s':>9}"
                 f"{f'batch{copies} s/sub':>14}  target <= {t['grading_ratio']:g}x")
    for g in results["grading"]:
        if "error" in g:
            lines.append(f"  {g['assignment']:<34}FAILED - {g['error']}")
            continue
        lines.append(f"  {g['assignment']:<34}{g['notebook_s']:>7.1f}{g['per_submission_s']:>7.1f}"
                     f"{g['ratio']:>6.2f}x{g['fixed_s']:>9.1f}{g['batch_s_per_submission']:>14.1f}  "
                     f"{g['target']}")
    tp = results.get("throughput")
    if tp and "error" in tp:
        lines.append(f"\nGrading throughput: FAILED - {tp['error']}")
    elif tp:
        spm, sec = tp["submissions_per_minute"], tp["seconds"]
        lines.append(f"\nGrading throughput ({tp['copies']} copies of ada's {tp['assignment']} per machine, "
                     f"{tp['cpu_count']} CPUs; identical scores: {'yes' if tp['identical_scores'] else 'NO'})")
        lines.append(f"  {'run':<34}{'wall s':>8}{'subs/min':>10}")
        for key, label in (("sqlite_jobs1", "1 machine, JOBS=1, SQLite"), ("sqlite_jobs2", "1 machine, JOBS=2, SQLite"),
                           ("postgresql_jobs2", "1 machine, JOBS=2, PostgreSQL"),
                           ("two_machines_jobs2", "2 copies x JOBS=2, PostgreSQL")):
            lines.append(f"  {label:<34}{sec[key]:>8.1f}{spm[key]:>10.1f}")
        lines.append(f"  JOBS=2 speed-up over JOBS=1: {tp['jobs2_speedup']:.2f}x  {tp['target']} "
                     f"(target >= {t['jobs2_speedup']:g}x)")
        lines.append(f"  two copies on the same cores: {100 * tp['two_machines_overhead']:.0f}% fewer submissions "
                     "per minute than one (the shared gradebook's overhead; real machines add their cores)")
    net = results["network"]
    lines.append(f"\nReference network ({net['setup']})")
    lines.append(f"  {'implementation':<34}{'ms/epoch':>9}{'vs sklearn':>12}{'CPU ms':>9}{'CPU vs':>8}")
    for name, ms in net["ms_per_epoch"].items():
        if ms is None:
            lines.append(f"  {name:<34}{'not importable: not measured':>30}")
            continue
        extra = f"  {net['target']} (target <= {t['reference_vs_sklearn']:g}x)" if name == "numpy_reference" else ""
        lines.append(f"  {name:<34}{ms:>9.1f}{net['vs_sklearn'][name]:>11.2f}x{net['cpu_ms_per_epoch'][name]:>9.1f}"
                     f"{net['cpu_vs_sklearn'][name]:>7.2f}x{extra}")
    m = results["machine"]
    lines.append(f"\n{m['cpu_count']} CPUs, load average {m['load_average'][0]:.2f} before and "
                 f"{results['load_average_after'][0]:.2f} after; Python {m['python']}, "
                 f"NumPy {m['numpy']}, scikit-learn {m['sklearn']}; {m['timestamp']}")
    return "\n".join(lines)


def course_assignments() -> list[tuple[Path, Path]]:
    """(solution, ada's submission) for every solutions/NN_*/NN_*.ipynb."""
    sources = sorted(ROOT.glob("solutions/[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))
    return [(s, ADA / s.stem / s.name) for s in sources if s.parent.name == s.stem]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a 2-cell assignment, 2 submissions, 2 network repeats (for tests)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON path (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--copies", type=int, default=3, help="submissions in the larger grading batch")
    parser.add_argument("--repeats", type=int, default=15, help="timed epochs per network")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel for the notebooks")
    parser.add_argument("--throughput", action="store_true",
                        help="only the grading throughput section (JOBS=1/2, SQLite/PostgreSQL, two machines)")
    args = parser.parse_args(argv)
    if args.throughput:
        source, submission = course_assignments()[0]
        result = {"machine": machine_info(), "throughput": grading_throughput(source, submission),
                  "load_average_after": list(os.getloadavg())}
        out = args.out.with_name("throughput.json") if args.out == OUT else args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result["throughput"], indent=1))
        print(f"load average {result['machine']['load_average'][0]:.2f} before, "
              f"{result['load_average_after'][0]:.2f} after; written: {out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        if args.quick:
            assignments, args.copies, args.repeats = [tiny_assignment(Path(tmp))], 2, 2
        else:
            assignments = course_assignments()
        results = collect(assignments, max(args.copies, 2), args.repeats, args.kernel,
                          log=lambda text: print(text, file=sys.stderr, flush=True),
                          throughput_copies=2 if args.quick else THROUGHPUT_COPIES)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(render_table(results))
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
