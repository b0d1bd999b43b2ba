"""Import speed: a generated WXR of 10,000 posts and 100,000 comments into SQLite.

    PYTHONPATH=. python bench/porting.py [--json] [--posts N] [--comments N]

Writes a WXR file (threads, labels, a fifth of the posts in the seed blog's shape) to a temporary
folder, then in fresh subprocesses: (1) a plain streaming read of it with lxml's iterparse, no
writes (the floor); (2) `dateline import` into a new, migrated SQLite database. Each reports its
seconds and peak RSS. Goal: the import under 60 s and 500 MB. The last line printed is one JSON
object: {"seconds", "peak_rss_mb", "posts", "comments", "parse_only_seconds", ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

LABELS = ["Syria", "Iraq", "Kurds", "Turkey", "Iran", "Russia", "Elections", "syria", "C++", "C"]
OUTLETS = ["The Guardian", "RUDAW", "Al-Monitor", "Reuters", "BBC"]


def _seed_body(n: int) -> str:
    outlet = OUTLETS[n % len(OUTLETS)]
    return (
        f'<div dir="ltr"><b>{outlet}</b>: <a href="https://news.example/{n}">Talks resume in '
        f"round {n}</a><br /><br /><blockquote>Officials said the talks, the {n}th, would "
        'continue <i>for days</i>.</blockquote><a href="https://news.example/{n}">Read more</a>'
        f' ....<br /><br />Update: Fighting resumed (<a href="https://rudaw.example/{n}">'
        f"RUDAW</a>).<br /><br /><b>WNU Editor:</b> The {n}th round will not be the last.</div>"
    )


def _plain_body(n: int) -> str:
    return (
        f'Paragraph one of post {n}, with an <a href="https://example.org/{n}">link</a>.\n\n'
        f"Paragraph two, with <em>emphasis</em> and an image "
        f'<img src="https://img.example/{n % 500}.jpg" alt="">.'
    )


def write_wxr(path: Path, posts: int, comments: int) -> None:
    rng = random.Random(7)
    per_post = comments // posts
    extra = comments - per_post * posts
    comment_id = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Bench</title><link>https://bench.example</link>\n"
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
            "<wp:base_site_url>https://bench.example</wp:base_site_url>\n"
        )
        for n in range(1, posts + 1):
            year, month, day = 2008 + n % 15, n % 12 + 1, n % 28 + 1
            body = _seed_body(n) if n % 5 == 0 else _plain_body(n)
            labels = "".join(
                f'<category domain="{"category" if i % 2 else "post_tag"}" nicename="l">'
                f"<![CDATA[{label}]]></category>"
                for i, label in enumerate(rng.sample(LABELS, 2))
            )
            out.write(
                f"<item><title>Post number {n}</title>"
                f"<link>https://bench.example/{year}/{month:02d}/{day:02d}/post-{n}/</link>"
                f"<dc:creator>editor{n % 3}</dc:creator>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<wp:post_id>{n}</wp:post_id>"
                f"<wp:post_date_gmt>{year}-{month:02d}-{day:02d} 10:00:00</wp:post_date_gmt>"
                f"<wp:post_name>post-{n}</wp:post_name>"
                f"<wp:status>{'draft' if n % 50 == 0 else 'publish'}</wp:status>"
                f"<wp:post_type>post</wp:post_type>{labels}"
            )
            first = comment_id + 1
            for k in range(per_post + (1 if n <= extra else 0)):
                comment_id += 1
                parent = rng.randrange(first, comment_id) if k and rng.random() < 0.4 else 0
                approved = rng.choice(["1", "1", "1", "0", "spam"])
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Reader {comment_id % 997}]]></wp:comment_author>"
                    f"<wp:comment_date_gmt>{year}-{month:02d}-{day:02d} 11:{k % 60:02d}:00"
                    "</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[Comment {comment_id}: I disagree about "
                    f"round {n}.]]></wp:comment_content>"
                    f"<wp:comment_approved>{approved}</wp:comment_approved>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_parse(path: str) -> None:
    from lxml import etree

    start = time.perf_counter()
    items = 0
    for _event, element in etree.iterparse(path, events=("end",), resolve_entities=False):
        if element.tag == "item":
            items += 1
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_rss_mb": _peak_mb()}))


def child_import(path: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from dateline.porting.importing import import_file

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    report = import_file(Path(path))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_rss_mb": _peak_mb(), **report.as_json()}))


def _child(kind: str, path: Path, database: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dateline.settings",
        "DATELINE_DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": str(REPO_ROOT),
    }
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        (child_parse if args.child[0] == "parse" else child_import)(args.child[1])
        return
    with tempfile.TemporaryDirectory(prefix="dateline-porting-bench-") as folder:
        path = Path(folder) / "bench.xml"
        write_wxr(path, args.posts, args.comments)
        size_mb = path.stat().st_size / 1e6
        parsed = _child("parse", path, Path(folder) / "unused.sqlite3")
        imported = _child("import", path, Path(folder) / "bench.sqlite3")
    result = {
        "seconds": round(imported["seconds"], 2),
        "peak_rss_mb": round(imported["peak_rss_mb"], 1),
        "posts": imported["posts"],
        "comments": imported["comments"],
        "parse_only_seconds": round(parsed["seconds"], 2),
        "parse_only_peak_rss_mb": round(parsed["peak_rss_mb"], 1),
        "file_mb": round(size_mb, 1),
        "posts_per_second": round(imported["posts"] / imported["seconds"], 1),
        "comments_per_second": round(imported["comments"] / imported["seconds"], 1),
        "structured": imported["structured"],
        "times_the_floor": round(imported["seconds"] / parsed["seconds"], 1),
    }
    if not args.json:
        for key, value in result.items():
            print(f"{key}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
