"""The student copy for the tests: built from this repository, cloned with git, installed.

Installing the copy's environment from PyPI would take minutes and a gigabyte per test run, so
the clone's ``.venv`` is a fresh virtual environment that *sees* this repository's installed
packages through one ``.pth`` line (site-packages only: this repository's editable ``helpers``
is not on it) and their Jupyter data files (lab extensions, kernel specs) through two symlinks. The copy's own ``make install`` then runs unchanged: pip checks every pin of the
copy's ``requirements.txt`` against what it finds (all satisfied, so nothing is downloaded - a
pin the lock does not hold would fail), and the recipe puts the clone itself on the path, so
the notebooks import the clone's ``helpers``. ``test_student_copy.py`` checks that, and that
``requirements.txt`` is exactly the lock's pins for the student's packages.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from instructor.student_copy import build
from tests.course import subprocess_env

REPO_SITE = Path(sysconfig.get_paths()["purelib"])


def run(command: list[str], cwd: Path, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env or subprocess_env(), capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}) in {cwd}:\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def build_copy(dest: Path) -> Path:
    """``dest/NAME/`` (a git repository) and ``dest/NAME.zip``, as `make student-copy` writes them."""
    copy, _, _ = build(dest)
    return copy


def clone_and_install(copy: Path, dest: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """``git clone`` the copy into ``dest`` and run its ``make install`` (packages reused, see above)."""
    run(["git", "clone", "-q", str(copy), str(dest)], cwd=copy.parent)
    run([sys._base_executable, "-m", "venv", "--without-pip", str(dest / ".venv")], cwd=dest)
    site = Path(run([str(dest / ".venv" / "bin" / "python"), "-c",
                     "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=dest).stdout.strip())
    (site / "zz-reuse-course-packages.pth").write_text(f"{REPO_SITE}\n")
    # The data files pip would install with them: JupyterLab extensions (nbgrader's Validate
    # button), kernel specs, the extensions' server config.
    for data in ("share/jupyter", "etc/jupyter"):
        (dest / ".venv" / data).parent.mkdir(parents=True, exist_ok=True)
        (dest / ".venv" / data).symlink_to(Path(sys.prefix) / data, target_is_directory=True)
    installed = run(["make", "install"], cwd=dest)
    return dest, installed
