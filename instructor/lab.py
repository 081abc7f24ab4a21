"""Start JupyterLab in student mode on notebooks/ (``make lab``).

Student mode keeps nbgrader's Validate button and assignment list and turns the instructor
tools (formgrader, Create Assignment toolbar, course list) off, both the browser plugins and the
server extensions, through the config in ``.jupyter-student/`` (added to JUPYTER_CONFIG_PATH).
The tests start the server through :func:`student_lab_command` too, so they check what students get.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDENT_CONFIG = ROOT / ".jupyter-student"


def student_lab_env(base: dict | None = None) -> dict:
    """Environment for the server: student config first on JUPYTER_CONFIG_PATH."""
    env = dict(os.environ if base is None else base)
    extra = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(STUDENT_CONFIG)] + ([extra] if extra else []))
    return env


def student_lab_command(port: int = 8888, notebooks: Path = ROOT / "notebooks",
                        extra: list[str] | None = None) -> list[str]:
    """The ``jupyter lab`` command line, run from the repository root (nbgrader reads its config there)."""
    jupyter = Path(sys.executable).with_name("jupyter")
    return [str(jupyter), "lab", f"--ServerApp.root_dir={notebooks}", f"--ServerApp.port={port}",
            "--ServerApp.allow_root=True", *(extra or [])]


def main(argv: list[str]) -> int:
    port = int(argv[0]) if argv else 8888
    os.chdir(ROOT)
    command = student_lab_command(port, extra=argv[1:])
    os.execve(command[0], command, student_lab_env())
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
