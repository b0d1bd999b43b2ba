"""The Nu Html Checker (npm package vnu-jar) run with the machine's Java, once over many pages.

One JVM start costs seconds, so a test writes every page it wants checked and validates them in
one run. `make install` puts the jar under node_modules/ (npm ci).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@dataclass(frozen=True)
class Problem:
    page: str
    line: int | None
    message: str
    extract: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message} [{self.extract.strip()[:120]}]"


def missing() -> str | None:
    """Why the checker cannot run here, or None."""
    if shutil.which("java") is None:
        return "java is not installed (the CI script installs default-jre-headless)"
    if not VNU_JAR.exists():
        return f"{VNU_JAR} is absent: run `make install` (npm ci installs vnu-jar)"
    return None


def errors(pages: dict[str, bytes], workdir: Path) -> list[Problem]:
    """Every error (not warning) the checker finds in `pages` (name -> HTML bytes)."""
    files = []
    for name, html in pages.items():
        path = workdir / f"{name}.html"
        path.write_bytes(html)
        files.append(str(path))
    run = subprocess.run(
        ["java", "-Xss2m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        timeout=300,
        check=False,
    )
    report = json.loads(run.stderr or run.stdout)
    problems = []
    for message in report["messages"]:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        page = Path(unquote(urlsplit(message.get("url", "")).path)).stem
        problems.append(
            Problem(page, message.get("lastLine"), message["message"], message.get("extract", ""))
        )
    return problems
