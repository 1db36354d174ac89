"""The package as a user installs it: a wheel in a new virtual environment, run outside the checkout.

An editable install finds `cypher/` beside the code whatever the packaging says, so only a real
wheel shows whether the query files travel with the package.  The sources are copied to a
temporary folder first, so the build never writes into the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

from .conftest import REPO, ROBOTICS


def _run(*args, cwd, env) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stderr[-3000:]}"
    return result


def test_the_wheel_carries_the_queries_and_works_outside_the_checkout(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("graphvec", "cypher"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRAPHVEC_CYPHER_DIR", "VIRTUAL_ENV")}

    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path / "dist", source, cwd=tmp_path, env=env)
    (wheel,) = (tmp_path / "dist").glob("graphvec-*.whl")
    shipped = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".cypher")}
    expected = {f"graphvec/cypher_files/{p.relative_to(REPO / 'cypher').as_posix()}" for p in (REPO / "cypher").rglob("*.cypher")}
    assert shipped == expected and len(expected) > 40

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path, env=env)
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ROBOTICS, elsewhere / "robotics.csv")
    located = _run(venv / "bin" / "python", "-c", "import graphvec.cypher as c; print(c.__file__); print(c.cypher_dir())",
                   cwd=elsewhere, env=env).stdout.split()
    assert all(path.startswith(str(venv)) for path in located), located

    graphvec = [venv / "bin" / "graphvec", "--store", "robotics.lbug", "--json"]
    ingest = json.loads(_run(*graphvec, "ingest", "docs", "robotics.csv", "--labels-field", "tags", "--label-sep", " ",
                             cwd=elsewhere, env=env).stdout)
    assert ingest["store_totals"]["documents"] == 2771
    _run(*graphvec, "embed", "--projection", "bipartite", "--walks-per-node", "2", "--walk-length", "20",
         "--dimensions", "16", "--seed", "1", cwd=elsewhere, env=env)
    neighbours = json.loads(_run(*graphvec, "neighbours", "quadcopter", "-k", "5", cwd=elsewhere, env=env).stdout)
    assert len(neighbours["rows"]) == 5 and "quadcopter" not in {row["name"] for row in neighbours["rows"]}
    by_name = json.loads(_run(*graphvec, "query", "similar_labels", "-p", "name=quadcopter", "-p", "k=5", "-p", "min_df=5",
                              cwd=elsewhere, env=env).stdout)
    assert [row["name"] for row in by_name["rows"]] == [row["name"] for row in neighbours["rows"]]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["robotics.csv", "robotics.lbug"]
