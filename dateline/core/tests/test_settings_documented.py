import re
from pathlib import Path

from dateline.core.config import NOT_SITE_SETTINGS, SETTINGS

DOC = Path(__file__).resolve().parents[3] / "docs" / "settings.md"
# Read by the test suite and benchmarks only, documented in their own section.
TEST_ONLY = NOT_SITE_SETTINGS


def test_every_setting_is_documented():
    documented = set(re.findall(r"^\| `(DATELINE_[A-Z_]+)` \|", DOC.read_text(), re.MULTILINE))
    registered = {setting.name for setting in SETTINGS}
    assert registered - documented == set(), "settings missing from docs/settings.md"
    assert documented - registered == set(), "docs/settings.md names settings that do not exist"


def test_no_code_reads_an_unregistered_setting():
    package = Path(__file__).resolve().parents[2]
    registered = {setting.name for setting in SETTINGS} | TEST_ONLY
    read = set()
    for source in package.rglob("*.py"):
        read |= set(re.findall(r"[\"'](DATELINE_[A-Z_]+)[\"']", source.read_text(encoding="utf-8")))
    assert read - registered == set()
