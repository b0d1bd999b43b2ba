"""feedparser's own corpus through Dateline's parser: no passing case may regress.

The cases Dateline does not pass are listed, each with why, in conformance_known_failures.tsv.
This test fails when a case outside that list fails (a regression), when a listed case now
passes (the list must stay true: take it off), and when any sanitised output is unsafe.
"""

from __future__ import annotations

from pathlib import Path

from dateline.wire.tests.conformance import load_manifest, run_case, serving
from dateline.wire.tests.shared_data import require

KNOWN_FAILURES = Path(__file__).with_name("conformance_known_failures.tsv")
CORPUS_PORT = 8097  # the port the corpus's expectations name


def known_failures() -> dict[str, str]:
    known = {}
    for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            path, _, reason = line.partition("\t")
            assert reason.strip(), f"{path}: every known failure needs its reason"
            known[path] = reason
    return known


def test_no_conformance_case_regresses_and_the_known_failures_list_is_true() -> None:
    root = require("feeds/feedparser-conformance")
    cases = load_manifest(root)
    known = known_failures()
    assert set(known) <= {case["path"] for case in cases}, "known failures name unknown cases"
    regressions, now_passing, unsafe = [], [], []
    with serving(root, cases) as base:
        # Another process on this machine may hold the corpus's port: the cases whose
        # expectation names it can then not be judged, and are left out (not counted as passing).
        port_taken = f":{CORPUS_PORT}/" not in base
        for case in cases:
            if port_taken and str(CORPUS_PORT) in case["expect"]:
                continue
            result = run_case(case, root, base)
            if result.unsafe:
                unsafe.append(result.path)
            if not result.passed and result.path not in known:
                regressions.append(f"{result.path}: {result.reason}")
            elif result.passed and result.path in known:
                now_passing.append(result.path)
    assert not unsafe, f"unsafe sanitised output in: {unsafe}"
    assert not regressions, "cases that passed now fail:\n" + "\n".join(regressions)
    assert not now_passing, (
        "these listed cases pass now; take them off conformance_known_failures.tsv:\n"
        + "\n".join(now_passing)
    )
