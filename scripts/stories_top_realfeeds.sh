#!/usr/bin/env bash
# Regenerates docs/stories-top-realfeeds.md: `dateline stories top` over the real feeds of Feb 2026,
# clustered in memory by the clusterer in this tree. Run from the repository root after `make install`.
set -euo pipefail
DATA=../shared/data/clustering/realfeeds-2026-02-unlabeled.jsonl
OUT=docs/stories-top-realfeeds.md
{
    echo "# The ten largest stories in the real feeds of 14-18 Feb 2026"
    echo
    echo "Made by \`scripts/stories_top_realfeeds.sh\`, that is"
    echo "\`dateline stories top $DATA\`, with the clusterer as of commit"
    echo "\`$(git log -1 --format=%h -- dateline/stories/domain)\`: no labels exist for this file, so judge it by eye."
    echo "Headlines are the outlets' own (quoted for inspection only)."
    echo
    echo '```text'
    .venv/bin/dateline stories top "$DATA"
    echo '```'
} > "$OUT"
echo "wrote $OUT"
