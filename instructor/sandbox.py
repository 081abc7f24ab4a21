"""Run a grading kernel in a sandbox (bubblewrap) with resource limits.

Used as the ``argv`` prefix of the kernelspec that ``make grade`` gives nbgrader::

    python -m instructor.sandbox [--no-isolation] -- python -m ipykernel_launcher -f CONN

jupyter_client starts this command with the notebook's directory (the student's own working copy,
``autograded/<student>/<assignment>/``) as the working directory.  With isolation (the default)
the kernel then runs under ``bwrap`` where it sees only:

* read-only: ``/usr`` (system libraries), the Python installation, the course's ``.venv``, the
  ``helpers/`` package and the ``instructor/`` package (for the grading guard);
* read-write: its working copy and the private directory of its IPC sockets; read-only: its
  connection file;
* a private ``/tmp`` (tmpfs, size-capped), ``/proc`` and ``/dev`` of its own;
* no network (a new, empty network namespace: the kernel talks to nbgrader over Unix sockets),
  new user/PID/IPC/UTS namespaces, an empty environment (no tokens or secrets inherited).

Not visible at all: ``solutions/``, the gradebook, ``submitted/`` and other students' work, the
instructor's home.  Resource limits (both modes): address space, CPU seconds, size of a written
file.  What this does *not* protect against is documented in ``docs/grading-security.md``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Limits of one grading kernel (environment variables override them).
MEMORY_MB = int(os.environ.get("NNF_GRADE_MEMORY_MB", "3072"))    # address space
CPU_SECONDS = int(os.environ.get("NNF_GRADE_CPU_SECONDS", "900"))  # whole notebook
FILE_MB = int(os.environ.get("NNF_GRADE_FILE_MB", "64"))           # largest file it may write
TMP_MB = 256                                                         # private /tmp
#: "PID:FD" of a pipe the grading process holds and never writes (set by the grading process)
ALIVE_ENV = "NNF_GRADER_ALIVE"
#: in the kernel: its own descriptor of that pipe (see :func:`exit_with_the_grader`)
ALIVE_FD_ENV = "NNF_GRADER_ALIVE_FD"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces on this machine."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _python_roots() -> list[Path]:
    """Directories the kernel's interpreter needs: the venv and the base installation."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parents[1]}
    return sorted(p for p in roots if not str(p).startswith("/usr"))


def bwrap_argv(workdir: Path, writable: list[Path], command: list[str],
               read_only: list[Path] = ()) -> list[str]:
    """The ``bwrap`` command line that runs ``command`` confined to ``workdir``."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: `make sandbox` installs it "
                                 "(apt-get install bubblewrap), or grade with ISOLATE=0")
    argv = [bwrap, "--unshare-all", "--die-with-parent", "--hostname", "grader",
            "--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            argv += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    for name in ("ld.so.cache", "localtime", "nsswitch.conf", "passwd", "group", "fonts"):
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_MB << 20), "--tmpfs", "/tmp"]
    for path in _python_roots():
        argv += ["--ro-bind", str(path), str(path)]
    for package in ("helpers", "instructor"):   # instructor: the grading guard runs in the kernel
        argv += ["--ro-bind", str(ROOT / package), str(ROOT / package)]
    for path in [workdir, *writable]:
        argv += ["--bind", str(path), str(path)]
    for path in read_only:
        argv += ["--ro-bind", str(path), str(path)]
    argv += ["--remount-ro", "/", "--chdir", str(workdir), "--clearenv"]
    for key, value in kernel_environment().items():
        argv += ["--setenv", key, value]
    return [*argv, "--", *command]


def kernel_environment() -> dict[str, str]:
    """The whole environment of a sandboxed kernel: nothing of the grader's is inherited.

    PYTHONPATH puts this course's ``helpers``/``instructor`` first: a ``.venv`` shared by several
    clones has its editable install pointing at one of them, which the sandbox does not show.
    """
    env = {"PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(ROOT),
           "MPLCONFIGDIR": "/tmp/matplotlib", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if os.environ.get(ALIVE_FD_ENV):
        env[ALIVE_FD_ENV] = os.environ[ALIVE_FD_ENV]
    return env


def set_limits() -> None:
    """Resource limits inherited by the kernel (and anything it starts)."""
    for limit, value in ((resource.RLIMIT_AS, MEMORY_MB << 20), (resource.RLIMIT_CPU, CPU_SECONDS),
                         (resource.RLIMIT_FSIZE, FILE_MB << 20), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))


def connection_paths(command: list[str]) -> tuple[Path, Path]:
    """(connection file, directory of the IPC sockets) of the kernel command's ``-f FILE``.

    The sandbox has no network, so the kernel must use Unix sockets (``transport: ipc``) whose
    path prefix (``ip``) is absolute - ``make grade`` sets ``KernelManager.ip`` to a private
    runtime directory.
    """
    if "-f" not in command or command.index("-f") + 1 >= len(command):
        raise SandboxUnavailable("the kernel command has no -f CONNECTION_FILE")
    connection_file = Path(command[command.index("-f") + 1]).resolve()
    info = json.loads(connection_file.read_text())
    if info.get("transport") != "ipc" or not os.path.isabs(info.get("ip", "")):
        raise SandboxUnavailable("a sandboxed kernel needs KernelManager.transport = 'ipc' with an "
                                 f"absolute KernelManager.ip (got {info.get('transport')}, {info.get('ip')})")
    return connection_file, Path(info["ip"]).parent


def check_workdir(workdir: Path) -> None:
    """Refuse to expose anything bigger than a student's own copy."""
    protected = [Path("/"), Path.home(), ROOT, *ROOT.parents]
    if workdir in protected or (ROOT / "solutions") in [workdir, *workdir.parents]:
        raise SandboxUnavailable(f"refusing to run a grading kernel with {workdir} writable")


def die_with_the_grader() -> None:
    """Ask Linux to SIGKILL this process when its parent (the grading process) dies; it survives the
    exec into bwrap or the kernel. bwrap's ``--die-with-parent`` then takes the kernel down with
    bwrap: a killed or crashed ``make grade`` leaves no kernel running. (Linux sends it when the
    *thread* that started this process ends: jupyter_client starts kernels from the grading
    process's main thread, which lives as long as the process.)"""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() == 1:   # the parent died before the request: nobody will signal us
        sys.exit("the grading process that started this kernel is gone")


def open_grader_pipe() -> None:
    """Open this wrapper's own descriptor of the grading process's pipe (``ALIVE_ENV``), to be
    inherited by the kernel, and name it in ``ALIVE_FD_ENV``: :func:`exit_with_the_grader`.

    The death signal alone did not always suffice: a grading process killed while bwrap was
    setting up its sandbox left the sandbox's first process and its kernel running (1 of 8 trials
    of killing ``make grade`` as a kernel started). A pipe's end of file cannot be missed.
    """
    spec = os.environ.pop(ALIVE_ENV, "")
    if not spec:
        return
    pid, fd = (int(part) for part in spec.split(":"))
    try:
        if pid != os.getppid():
            raise OSError("not our parent")
        alive = os.open(f"/proc/{pid}/fd/{fd}", os.O_RDONLY)
    except OSError:
        sys.exit("the grading process that started this kernel is gone")
    os.set_inheritable(alive, True)
    os.environ[ALIVE_FD_ENV] = str(alive)


def exit_with_the_grader() -> None:
    """In a grading kernel (first of its ``exec_lines``): end this process when the grading
    process that started it is gone, whatever became of the signals. A daemon thread waits on the
    grading process's pipe, which nobody writes: end of file = its last write end closed = the
    grading process died. Nothing to do outside ``make grade`` (no ``ALIVE_FD_ENV``)."""
    import threading

    fd = os.environ.get(ALIVE_FD_ENV, "")
    if not fd.isdigit():
        return

    def watch():
        try:
            while os.read(int(fd), 1):
                pass
        except OSError:   # the notebook closed it: nothing left to watch
            return
        os._exit(1)
    threading.Thread(target=watch, name="nnf-grader-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    isolate = "--no-isolation" not in argv
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    if not command:
        sys.exit("usage: python -m instructor.sandbox [--no-isolation] -- COMMAND...")
    die_with_the_grader()
    open_grader_pipe()
    set_limits()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])
    if isolate:
        workdir = Path.cwd().resolve()
        check_workdir(workdir)
        connection_file, sockets = connection_paths(command)
        check_workdir(sockets)
        command = bwrap_argv(workdir, [sockets] if sockets != workdir else [], command,
                             read_only=[connection_file])
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
