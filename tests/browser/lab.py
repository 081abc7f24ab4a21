"""A student-mode JupyterLab server and a headless Chromium, for the browser tests.

The server is started exactly as ``make lab`` starts it (:func:`student_lab_command` and
:func:`student_lab_env`), on a temp copy of the course (``nbgrader_config.py`` + ``notebooks/``)
with its own config, data, runtime, settings and workspace directories, a fixed token and a free
port. Every process is stopped by its PID: the server and the kernels it started, and the
Playwright driver with the Chromium it launched.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import psutil

from instructor.lab import student_lab_command, student_lab_env
from tests.course import ROOT, subprocess_env

TOKEN = "nnf-browser-test-token"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package (`make browser`)
# Playwright cannot download its own browser here: it drives Debian's Chromium.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
# JupyterLab user settings for the test profile: no "get Jupyter news?" toast over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(procs: Iterable[psutil.Process]) -> list[psutil.Process]:
    """The processes still running (a zombie has finished: only its parent's wait() is left)."""
    running = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                running.append(proc)
        except psutil.NoSuchProcess:
            pass
    return running


def describe(procs: Iterable[psutil.Process]) -> list[str]:
    out = []
    for proc in procs:
        try:
            out.append(f"{proc.pid} {' '.join(proc.cmdline()[:3])}")
        except psutil.Error:
            out.append(str(proc.pid))
    return out


def stop_processes(procs: Iterable[psutil.Process], timeout: float = 10) -> None:
    """SIGTERM each process by its PID, SIGKILL what is still there after ``timeout`` s."""
    procs = alive(procs)
    for proc in procs:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, survivors = psutil.wait_procs(procs, timeout=timeout)
    for proc in survivors:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(survivors, timeout=timeout)


@dataclass
class LabServer:
    """``jupyter lab`` in student mode on a temp course copy."""

    course: Path
    log: Path
    process: subprocess.Popen | None = None
    url: str = ""
    started_in: float = 0.0
    _stopping: threading.Event = field(default_factory=threading.Event)
    _watcher: threading.Thread | None = None
    procs: dict[int, psutil.Process] = field(default_factory=dict)  # the server and its kernels
    #: a clone of the student copy: the server is its own `make lab` there (not this repository's)
    student_copy: Path | None = None

    @property
    def notebooks(self) -> Path:
        return (self.student_copy or self.course) / "notebooks"

    def start(self, timeout: float = 90) -> "LabServer":
        self.course.mkdir(parents=True, exist_ok=True)
        if self.student_copy is None:
            shutil.copy2(ROOT / "nbgrader_config.py", self.course / "nbgrader_config.py")
            shutil.copytree(ROOT / "notebooks", self.notebooks,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        jupyter = self.course / ".jupyter"
        dirs = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
                "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTERLAB_SETTINGS_DIR": "settings",
                "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "IPYTHONDIR": "ipython"}
        if self.student_copy is None:
            env = student_lab_env(subprocess_env())  # the student config first, as `make lab` has it
        else:  # the copy's Makefile sets its config path and puts its own .venv first on PATH
            env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "JUPYTER_CONFIG_PATH")}
            env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        for var, name in dirs.items():
            (jupyter / name).mkdir(parents=True, exist_ok=True)
            env[var] = str(jupyter / name)
        for relpath, values in LAB_SETTINGS.items():
            path = jupyter / "settings" / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env.pop("JUPYTER_TOKEN", None)
        options = ["--no-browser", f"--IdentityProvider.token={TOKEN}", "--ServerApp.ip=127.0.0.1"]
        if self.student_copy is None:
            command = student_lab_command(free_port(), notebooks=self.notebooks, extra=options)
        else:
            command = ["make", "lab", f"PORT={free_port()}", f"LAB_ARGS={' '.join(options)}"]
        # cwd = the course copy: nbgrader's Validate reads nbgrader_config.py from the cwd.
        self._log = self.log.open("w")
        self.process = subprocess.Popen(command, cwd=self.student_copy or self.course, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.procs[self.process.pid] = psutil.Process(self.process.pid)
        # The server writes its real URL (port_retries may have moved the port) to the runtime dir.
        runtime = jupyter / "runtime"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.process.returncode}):\n"
                                   f"{self.log.read_text()[-3000:]}")
            for info in runtime.glob("jpserver-*.json"):
                try:
                    url = json.loads(info.read_text())["url"].rstrip("/")
                except (ValueError, KeyError):
                    continue
                if self.get("/api/status", base=url)[0] == 200:
                    self.url = url
                    self.started_in = timeout - (deadline - time.monotonic())
                    self._watcher = threading.Thread(target=self._watch, daemon=True)
                    self._watcher.start()
                    return self
            time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n"
                           f"{self.log.read_text()[-3000:]}")

    def get(self, path: str, data: bytes | None = None, base: str | None = None,
            method: str | None = None) -> tuple[int, str]:
        request = urllib.request.Request(f"{base or self.url}{path}", data=data, method=method,
                                         headers={"Authorization": f"token {TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
        except OSError as err:
            return 0, str(err)

    def lab_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?token={TOKEN}"

    def forget_sessions(self) -> None:
        """Shut down every kernel session and delete every saved workspace (REST API): the next
        student who opens a notebook on this server starts from a clean JupyterLab."""
        status, body = self.get("/api/sessions")
        assert status == 200, (status, body)
        for session in json.loads(body):
            status, body = self.get(f"/api/sessions/{session['id']}", method="DELETE")
            assert status == 204, (status, body)
        status, body = self.get("/lab/api/workspaces")
        assert status == 200, (status, body)
        for workspace in json.loads(body)["workspaces"]["ids"]:
            status, body = self.get(f"/lab/api/workspaces/{workspace}", method="DELETE")
            assert status == 204, (status, body)

    def _watch(self) -> None:
        """Every 0.5 s, note new processes under the server (Validate's short-lived kernels too)."""
        while self.process.poll() is None and not self._stopping.is_set():
            self.remember_children()
            self._stopping.wait(0.5)

    def remember_children(self) -> None:
        """Note the PIDs of everything the server started so far (kernels, Validate's kernels)."""
        try:
            for kid in psutil.Process(self.process.pid).children(recursive=True):
                self.procs.setdefault(kid.pid, kid)
        except psutil.NoSuchProcess:
            pass

    def stop(self) -> list[str]:
        """Shut the server down by its REST API, then make sure of it PID by PID.

        Returns what was still running and had to be signalled (empty after a clean shutdown)."""
        if self.process is None:
            return []
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join()
        self.remember_children()  # kernels run in sessions of their own: not in the server's group
        if self.process.poll() is None:
            self.get("/api/shutdown", data=b"")
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        leftover = alive(self.procs.values())
        forced = describe(leftover)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group the server leads (its PID)
        stop_processes(leftover)
        self.process.wait(timeout=15)
        self._log.close()
        return forced


@contextmanager
def launched_chromium() -> Iterator:
    """Headless Debian Chromium through Playwright; on exit every process it started is gone.

    Skips the test when Chromium is missing (fails under CI, where `make browser` installs it)."""
    import pytest
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make browser` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    me = psutil.Process()
    before = {p.pid for p in me.children()}
    pw = playwright_api.sync_playwright().start()
    # The Playwright driver is a child of this process; Chromium's processes are the driver's.
    drivers = [p for p in me.children() if p.pid not in before]
    seen: dict[int, psutil.Process] = {}

    def remember() -> None:
        for driver in drivers:
            try:
                for proc in [driver, *driver.children(recursive=True)]:
                    seen.setdefault(proc.pid, proc)
            except psutil.NoSuchProcess:
                pass

    chromium = None
    try:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        remember()
        yield chromium
    finally:
        remember()
        try:
            if chromium is not None:
                chromium.close()
        finally:
            pw.stop()
        leftover = alive(seen.values())
        print(f"browser processes {sorted(seen)} stopped"
              + (f"; had to signal {describe(leftover)}" if leftover else " by Playwright"))
        stop_processes(leftover)
        left = alive(seen.values())
        assert not left, f"browser processes still running: {describe(left)}"
