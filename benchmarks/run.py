"""Run every benchmark (or those named) and print their JSON results: `make bench` or
`.venv/bin/python benchmarks/run.py store walks`."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

names = sys.argv[1:] or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
for name in names:
    print(f"== benchmark {name}", flush=True)
    runpy.run_path(str(HERE / f"bench_{name}.py"), run_name="__main__")
