"""`make lab` serves notebooks/ in student mode: Validate works, instructor tools are absent."""

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from instructor.lab import student_lab_command, student_lab_env
from tests.course import ROOT, subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("lab_student_mode")]
TOKEN = "nnf-test-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    env = student_lab_env(subprocess_env())
    env.update(JUPYTER_RUNTIME_DIR=str(runtime), JUPYTER_CONFIG_DIR=str(runtime / "config"))
    port = _free_port()
    command = student_lab_command(port, extra=["--no-browser", f"--IdentityProvider.token={TOKEN}",
                                               "--ServerApp.ip=127.0.0.1"])
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if _get(f"{base}/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited: {server.stderr.read()[-2000:]}")
            time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer within 60 s")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_instructor_plugins_are_disabled_and_validate_is_kept(lab):
    status, page = _get(f"{lab}/lab")
    assert status == 200
    for plugin in ("formgrader", "create-assignment", "course-list"):
        assert f'"@jupyter/nbgrader:{plugin}"' in page.split('"disabledExtensions"')[1].split("]")[0]
    assert '"@jupyter/nbgrader:validate-assignment"' not in page.split('"disabledExtensions"')[1].split("]")[0]
    assert _get(f"{lab}/formgrader")[0] == 404, "the formgrader server extension must be off"


def test_validate_endpoint_reports_the_unsolved_release(lab):
    name = "01_neurons_perceptron"
    status, body = _get(f"{lab}/assignments/validate",
                        data=f"path={name}/{name}.ipynb".encode())
    assert status == 200, body[-2000:]
    result = json.loads(body)
    assert result["success"] is True, result
    assert result["value"]["failed"], "the blank release must fail validation"
