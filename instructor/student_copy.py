"""Write the student copy of the course (``make student-copy``): a folder that is its own git
repository, and a zip of it.

It holds what a student needs and nothing else: the released ``notebooks/``, the ``helpers/``
package the notebooks import, ``requirements.txt`` (the pins of ``requirements.lock`` for the
packages a student needs: the runtime dependencies of ``pyproject.toml`` minus the test tools,
with everything they pull in), the JupyterLab student-mode config, a small ``nbgrader_config.py``
(Validate reads it), a student README and a Makefile with ``install``, ``lab`` and ``check``.
No ``solutions/``, hidden test, model answer, example submission, ``instructor/`` or ``tests/``
(``tests/notebooks/test_student_copy.py`` scans every file for them).

Run again after a new release: the copy's files are replaced and, when the folder is already a
git repository (the one students clone), the change is committed on top of its history, so
students ``git pull`` the new notebooks (their own work lives in files they commit).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
NAME = "nn-foundations-student"
TEMPLATES = Path(__file__).resolve().parent / "student_files"
#: Runtime dependencies (pyproject.toml) a student does not need: they run the notebooks in CI.
NOT_FOR_STUDENTS = {"nbval", "papermill"}
#: What the copy holds at its top level (the leak test checks the copy against this list too).
TOP_LEVEL = (".gitignore", ".jupyter-student", "Makefile", "README.md", "helpers", "nbgrader_config.py",
             "notebooks", "requirements.txt")
#: Left unpinned by requirements.lock too: `python -m venv` provides them (nbgrader requires setuptools).
VENV_PROVIDED = {"pip", "setuptools"}
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same course gives the same zip


def student_requirements() -> list[str]:
    """The top-level packages a student installs: pyproject's runtime list minus the test tools."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [r for r in project["dependencies"] if canonicalize_name(Requirement(r).name) not in NOT_FOR_STUDENTS]


def closure(requirements: list[str]) -> set[str]:
    """Canonical names of ``requirements`` and everything they require (markers evaluated for
    this Python, extras followed), read from the installed distributions' metadata."""
    seen: set[tuple[str, frozenset]] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            raise SystemExit(f"student copy: {req.name} is not installed; run `make install` first") from None
        for line in requires:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in ("", *req.extras)):
                todo.append(sub)
    return {name for name, _ in seen}


def pinned_student_requirements() -> list[str]:
    """The lines of requirements.lock for the student's packages (same pins, same order)."""
    wanted = closure(student_requirements())
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            lock[canonicalize_name(line.split("==")[0])] = line.strip()
    missing = sorted(wanted - set(lock) - VENV_PROVIDED)
    if missing:
        raise SystemExit(f"student copy: requirements.lock does not pin {', '.join(missing)}")
    return [line for name, line in lock.items() if name in wanted]


def notebook_table() -> str:
    """The notebook table of the course README (its rows start with `| 01 |`, `| 02 |`, ...)."""
    lines = (ROOT / "README.md").read_text().splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("| # | Notebook |")), None)
    if start is None:
        raise SystemExit("student copy: README.md has no notebook table (a line starting '| # | Notebook |')")
    table = [lines[start], lines[start + 1]]
    table += [line for line in lines[start + 2:] if re.match(r"\| \d\d \|", line)]
    return "\n".join(table)


def source_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "notebooks", "helpers"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return out + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _copy_tree(src: Path, dest: Path, suffixes: tuple[str, ...]) -> None:
    for path in sorted(src.rglob("*")):
        if path.is_file() and path.suffix in suffixes and not {".ipynb_checkpoints", "__pycache__"} & set(path.parts):
            target = dest / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def write_files(copy: Path) -> list[Path]:
    """Write the copy's files into ``copy`` (everything but .git is replaced)."""
    copy.mkdir(parents=True, exist_ok=True)
    for entry in copy.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    _copy_tree(ROOT / "notebooks", copy / "notebooks", (".ipynb",))
    _copy_tree(ROOT / "helpers", copy / "helpers", (".py",))
    _copy_tree(ROOT / ".jupyter-student", copy / ".jupyter-student", (".json", ".md"))
    (copy / "requirements.txt").write_text(
        "# Pinned versions of everything the course needs (the same pins as the course's own\n"
        "# requirements.lock). `make install` installs them into .venv/.\n"
        + "\n".join(pinned_student_requirements()) + "\n")
    for template in ("Makefile", "nbgrader_config.py", "gitignore"):
        shutil.copyfile(TEMPLATES / template, copy / (".gitignore" if template == "gitignore" else template))
    readme = (TEMPLATES / "README.md").read_text()
    (copy / "README.md").write_text(readme.replace("{{NOTEBOOK_TABLE}}", notebook_table())
                                    .replace("{{SOURCE}}", source_commit()))
    return sorted(p for p in copy.rglob("*") if p.is_file() and ".git" not in p.relative_to(copy).parts)


def commit(copy: Path) -> str:
    """Make ``copy`` a git repository (once) and commit its current files; returns the commit."""
    def git(*args: str) -> str:
        env = dict(os.environ, GIT_AUTHOR_NAME="Neural Network Foundations", GIT_AUTHOR_EMAIL="course@example.org",
                   GIT_COMMITTER_NAME="Neural Network Foundations", GIT_COMMITTER_EMAIL="course@example.org")
        return subprocess.run(["git", *args], cwd=copy, env=env, capture_output=True, text=True,
                              check=True).stdout.strip()

    if not (copy / ".git").is_dir():
        git("init", "-q", "-b", "main")
    git("add", "-A")
    if git("status", "--porcelain"):
        git("commit", "-q", "-m", f"Student copy of Neural Network Foundations (course commit {source_commit()})")
    return git("rev-parse", "--short", "HEAD")


def write_zip(copy: Path, files: list[Path], zip_path: Path) -> Path:
    """A zip of the copy's files (without .git) under the folder name ``NAME/``."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"{NAME}/{path.relative_to(copy).as_posix()}", ZIP_DATE)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return zip_path


def build(dest: Path) -> tuple[Path, Path, list[Path]]:
    """Write ``dest/NAME/`` (a git repository) and ``dest/NAME.zip``."""
    missing = [p for p in ("notebooks", "helpers") if not any((ROOT / p).iterdir())]
    if missing:
        raise SystemExit(f"student copy: {', '.join(missing)} is empty; run `make release` first")
    copy = dest / NAME
    files = write_files(copy)
    commit(copy)
    return copy, write_zip(copy, files, dest / f"{NAME}.zip"), files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m instructor.student_copy", description=__doc__.split("\n")[0])
    parser.add_argument("dest", nargs="?", default=str(ROOT / "dist"), help="output folder (default: dist/)")
    args = parser.parse_args(argv)
    copy, zip_path, files = build(Path(args.dest).resolve())
    print(f"student copy: {copy} ({len(files)} files, a git repository) and {zip_path}")
    for path in files:
        print(f"  {path.relative_to(copy)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
