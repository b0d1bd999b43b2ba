"""Scores on hand-made clusterings, the replay order, and the `stories eval` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dateline.stories.adapters.sentence_encoder import default_model_dir
from dateline.stories.domain.evaluation import (
    LabelledFileError,
    bcubed,
    pairwise,
    read_labelled,
    replay_order,
)

REPO = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).parent / "data" / "small-labelled.jsonl"
# Four unrelated events, three reports each, worded differently on purpose (few shared words).
PARAPHRASES = Path(__file__).parent / "data" / "paraphrases-labelled.jsonl"
GOLD = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}


def test_bcubed_and_pairwise_on_a_hand_made_clustering() -> None:
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}
    b3 = bcubed(predicted, GOLD)
    # precision per article: 1, 1, 1/3, 2/3, 2/3; recall: 2/3, 2/3, 1/3, 1, 1
    assert b3.p == pytest.approx(11 / 15)
    assert b3.r == pytest.approx(11 / 15)
    assert b3.f1 == pytest.approx(11 / 15)
    pw = pairwise(predicted, GOLD)
    assert (pw.p, pw.r, pw.f1) == pytest.approx((0.5, 0.5, 0.5))


def test_all_singletons_are_precise_and_one_blob_recalls_all() -> None:
    singletons = bcubed({a: a for a in GOLD}, GOLD)
    assert (singletons.p, singletons.r) == pytest.approx((1.0, 0.4))
    blob = bcubed(dict.fromkeys(GOLD, 0), GOLD)
    assert (blob.p, blob.r) == pytest.approx(((3 * 3 / 5 + 2 * 2 / 5) / 5, 1.0))
    assert pairwise({a: a for a in GOLD}, GOLD).r == 0.0
    assert bcubed(GOLD, GOLD).f1 == 1.0


def test_scores_refuse_different_article_sets() -> None:
    with pytest.raises(ValueError):
        bcubed({"a": 1}, {"b": 1})


def test_replay_puts_dated_rows_in_date_order_into_the_dated_slots_of_the_shuffle() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    published = [None if i % 3 == 0 else t0 + timedelta(hours=(7 * i) % 11) for i in range(30)]
    order = replay_order(published)
    shuffled = replay_order([None] * len(published))  # the plain shuffle, same seed
    assert sorted(order) == list(range(30))
    for slot, row in enumerate(shuffled):
        if published[row] is None:
            assert order[slot] == row  # undated rows stay where the shuffle put them
        else:
            assert published[order[slot]] is not None  # dated slots hold dated rows
    dates = [published[row] for row in order if published[row] is not None]
    assert dates == sorted(dates)  # type: ignore[type-var]
    assert shuffled != list(range(30))  # file order carries no signal
    assert replay_order(published) == order  # fixed seed


def test_read_labelled_names_the_bad_line() -> None:
    good = json.dumps({"id": "1", "title": "t", "gold_cluster": "g", "published": None})
    with pytest.raises(LabelledFileError, match="line 2: not JSON"):
        read_labelled([good, "{oops"])
    with pytest.raises(LabelledFileError, match="line 1: missing title"):
        read_labelled([json.dumps({"id": "1", "gold_cluster": "g"})])
    with pytest.raises(LabelledFileError, match="line 1: published"):
        read_labelled([json.dumps({"id": "1", "title": "t", "gold_cluster": "g", "published": 5})])
    with pytest.raises(LabelledFileError, match=r"line 1: published .* out of the range of dates"):
        # Valid ISO 8601, but five hours past the calendar's last second once in UTC.
        late = {"id": "1", "title": "t", "gold_cluster": "g", "published": "9999-12-31T23:00-05:00"}
        read_labelled([json.dumps(late)])
    with pytest.raises(LabelledFileError, match="appears twice"):
        read_labelled([good, good])
    (row,) = read_labelled(
        [json.dumps({"id": 7, "title": "t", "gold_cluster": "g", "published": "2026-01-01T10:00"})]
    )
    assert row.article.id == "7" and row.article.published == datetime(2026, 1, 1, 10, tzinfo=UTC)


def stories_eval(*args: str, tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    # No database exists anywhere the command could look: eval must not need one.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    env.update(DATELINE_DATA_DIR=str(tmp_path / "nowhere"), PYTHONPATH=str(REPO), **settings)
    return subprocess.run(
        [sys.executable, "-m", "dateline.cli", "stories", "eval", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_eval_command_scores_the_fixture_and_ends_with_json(tmp_path: Path) -> None:
    result = stories_eval(str(FIXTURE), "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("B-cubed") for line in lines)
    scores = json.loads(lines[-1])
    assert set(scores) == {
        "articles",
        "clusters",
        "gold_clusters",
        "bcubed",
        "pairwise",
        "seconds",
        "articles_per_s",
        "encoder",
        "merge_every_minutes",
    }
    assert scores["encoder"] == str(default_model_dir())
    assert scores["merge_every_minutes"] == 10
    assert scores["articles"] == 8 and scores["gold_clusters"] == 4
    # Four clearly separate events: no false merge, and most same-event articles found.
    assert scores["bcubed"]["p"] == 1.0
    assert scores["bcubed"]["r"] >= 0.8
    # No database was created or migrated for it.
    assert not [
        p for p in (tmp_path / "nowhere").rglob("*") if "sqlite" in p.name or ".db" in p.name
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ('{"id": "1", "title": "x", "gold_cluster": "g"}\nnot json\n', "line 2: not JSON"),
        ('{"id": "1", "title": "x"}\n', "line 1: missing gold_cluster"),
        ("", "no articles"),
    ],
)
def test_eval_command_refuses_bad_input_in_one_line(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "input.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = stories_eval(str(path), tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_eval_reads_a_file_saved_with_a_byte_order_mark_and_windows_line_ends(
    tmp_path: Path,
) -> None:
    path = tmp_path / "from-a-spreadsheet.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + FIXTURE.read_bytes().replace(b"\n", b"\r\n"))
    assert last_json(stories_eval(str(path), "--json", tmp_path=tmp_path))["articles"] == 8


def last_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    scores: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return scores


def test_eval_lexical_forces_the_words_only_model(tmp_path: Path) -> None:
    with_encoder = last_json(stories_eval(str(PARAPHRASES), "--json", tmp_path=tmp_path))
    lexical_run = stories_eval(str(PARAPHRASES), "--json", "--lexical", tmp_path=tmp_path)
    words_only = last_json(lexical_run)
    assert with_encoder["encoder"] == str(default_model_dir())
    assert words_only["encoder"] is None
    assert "encoder         none (words only)" in lexical_run.stdout
    assert with_encoder["articles"] == words_only["articles"] == 12
    # Four events with nothing in common: neither pipeline merges two of them, and the one that
    # reads meaning finds at least the reports that words alone find.
    assert with_encoder["bcubed"]["p"] == words_only["bcubed"]["p"] == 1.0
    assert with_encoder["bcubed"]["r"] >= words_only["bcubed"]["r"]


def test_eval_follows_the_encoder_setting(tmp_path: Path) -> None:
    off = stories_eval(str(FIXTURE), "--json", tmp_path=tmp_path, DATELINE_STORY_ENCODER="none")
    assert last_json(off)["encoder"] is None
    assert "without sentence embeddings" not in off.stderr  # asked for: no warning
    empty = tmp_path / "no-weights"
    empty.mkdir()
    missing = stories_eval(
        str(FIXTURE), "--json", tmp_path=tmp_path, DATELINE_STORY_ENCODER=str(empty)
    )
    # Weights that are not there: words alone, and a warning that says why.
    assert last_json(missing)["encoder"] is None
    assert "without sentence embeddings" in missing.stderr
    assert str(empty / "model.safetensors") in missing.stderr
    assert "Traceback" not in missing.stderr
