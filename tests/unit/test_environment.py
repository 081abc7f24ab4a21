"""pyproject.toml, environment.yml and requirements.lock must list the same packages."""

import re
import subprocess
import sys
import tomllib

import yaml
from packaging.requirements import Requirement

from tests.course import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_environment_yml_lists_exactly_the_runtime_dependencies():
    runtime = {_name(r) for r in _pyproject()["dependencies"]}
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    listed = {_name(d) for d in conda if isinstance(d, str)} - {"python", "pip"}
    assert listed == runtime, (f"only in environment.yml: {sorted(listed - runtime)}; "
                               f"only in pyproject.toml: {sorted(runtime - listed)}")


def test_lock_pins_every_dependency():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            lock[_name(name)] = version
    wanted = list(_pyproject()["dependencies"]) + list(_pyproject()["optional-dependencies"]["dev"])
    for requirement in wanted:
        assert lock.get(_name(requirement)), f"{requirement} is not pinned in requirements.lock"
        assert lock[_name(requirement)] in Requirement(requirement).specifier, \
            f"requirements.lock pins {_name(requirement)}=={lock[_name(requirement)]}, pyproject.toml wants {requirement}"


def test_importing_nbformat_does_not_compile_grammars():
    """Every Jupyter server, nbgrader process and grading worker imports nbformat (and jsonschema):
    with jsonschema 4.25+ that imports rfc3987-syntax, whose Lark grammar costs ~0.8 CPU-s each."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, nbformat; "
                             "print(sorted(m for m in ('rfc3987_syntax', 'lark') if m in sys.modules))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]", loaded
