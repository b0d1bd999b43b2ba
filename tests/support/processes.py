"""Running the real `dateline` command in a process of its own, as an operator or an init system
would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def isolated_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """This process's environment minus any DATELINE_* setting, plus a data dir, loopback
    fetching (the tests' servers are on 127.0.0.1), quiet logs and ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    env.update(
        DATELINE_DATA_DIR=str(data_dir),
        DATELINE_FETCH_ALLOW_LOOPBACK="true",
        DATELINE_LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
        **settings,
    )
    return env


def dateline(
    *args: str, env: dict[str, str], check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Runs `dateline ARGS...`; raises CalledProcessError on a non-zero exit unless ``check`` is
    False (for tests about how the command fails)."""
    return subprocess.run(
        [sys.executable, "-m", "dateline.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def start_dateline(*args: str, env: dict[str, str], **popen: Any) -> subprocess.Popen[str]:
    """Starts `dateline ARGS...` without waiting: its output (stdout and stderr together) is read
    with ``communicate()`` unless ``popen`` redirects it."""
    options: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, **popen}
    return subprocess.Popen(
        [sys.executable, "-m", "dateline.cli", *args], cwd=REPO, env=env, text=True, **options
    )
