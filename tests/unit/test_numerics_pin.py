"""The stored outputs' float kernels: the same AVX2/FMA code on every x86-64 CPU that has it."""

import json
import os
import subprocess
import sys

import pytest

from instructor.execute import numerics_env

AVX2 = {"sse4_2", "avx", "avx2", "fma"}


def test_pinned_only_where_the_avx2_kernels_can_run():
    assert numerics_env("aarch64", AVX2) == {}
    assert numerics_env("x86_64", {"sse4_2", "avx"}) == {}           # no AVX2: Haswell kernels would crash
    env = numerics_env("x86_64", AVX2 | {"avx512f"})
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    assert "X86_V4" in env["NPY_DISABLE_CPU_FEATURES"].split()


def test_the_suite_starts_its_kernels_pinned():
    # tests/conftest.py pins os.environ, which every kernel nbval and the tests start inherits.
    for name, value in numerics_env().items():
        assert os.environ.get(name) == value


@pytest.mark.skipif(not numerics_env(), reason="this CPU has no AVX2/FMA kernels to pin")
def test_numpy_and_openblas_take_the_pinned_kernels():
    # An unknown feature name (a NumPy upgrade renaming its dispatch levels) is an ImportWarning:
    # made an error here, so the pin cannot silently stop working.
    probe = ("import json, numpy, threadpoolctl\n"
             "from numpy._core._multiarray_umath import __cpu_features__ as features\n"
             "blas = [i['architecture'] for i in threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas']\n"
             "print(json.dumps({'blas': blas, 'v4': features['X86_V4'], 'v3': features['X86_V3']}))")
    env = {**os.environ, **numerics_env()}
    out = subprocess.run([sys.executable, "-W", "error::ImportWarning", "-c", probe], env=env,
                         capture_output=True, text=True, check=True).stdout
    found = json.loads(out)
    assert found["blas"] and set(found["blas"]) == {"Haswell"}
    assert found["v3"] is True and found["v4"] is False
