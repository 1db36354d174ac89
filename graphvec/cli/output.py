"""How every command prints: a rich rendering for people, or one JSON object with --json.

Progress goes to stderr so that `--json` output on stdout stays machine-readable.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


class Output:
    def __init__(self, as_json: bool):
        self.as_json = as_json

    def emit(self, data: dict, render=None) -> None:
        if self.as_json:
            sys.stdout.write(json.dumps(data, default=_jsonable, sort_keys=False) + "\n")
        elif render is not None:
            render(console)
        else:
            console.print_json(json.dumps(data, default=_jsonable))

    @contextmanager
    def progress(self, description: str, total: float | None = None, unit: str = "rows"):
        """A progress bar with rate and ETA on stderr; silent with --json or when not a terminal."""
        if self.as_json:
            yield _NoProgress()
            return
        columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn()]
        with Progress(*columns, console=err_console, transient=False) as progress:
            task = progress.add_task(description, total=total, rate="")
            yield _Bar(progress, task, unit)


class _Bar:
    def __init__(self, progress: Progress, task, unit: str):
        self._progress, self._task, self._unit = progress, task, unit

    def advance(self, amount: float = 1) -> None:
        self._progress.advance(self._task, amount)
        speed = self._progress.tasks[self._task].speed
        if speed:
            self._progress.update(self._task, rate=f"{_si(speed)} {self._unit}/s")

    def update(self, **fields) -> None:
        self._progress.update(self._task, **fields)


class _NoProgress:
    def advance(self, amount: float = 1) -> None: ...
    def update(self, **fields) -> None: ...


def _si(value: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f}{unit}"
    return f"{value:.0f}"


def _jsonable(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def key_value_table(title: str, rows: dict) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows.items():
        table.add_row(str(key), _fmt(value))
    return table


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) or "-"
    return str(value)
