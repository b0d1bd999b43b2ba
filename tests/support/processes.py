"""Running the `dateline` command in a process of its own, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def isolated_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """This process's environment without its DATELINE_* settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    env.update(DATELINE_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO), **settings)
    return env


def dateline(
    *args: str, env: dict[str, str], check: bool = True, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dateline.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )
