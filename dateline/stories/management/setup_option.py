"""`--lexical`, shared by the subcommands that cluster: which pipeline they run."""

from __future__ import annotations

import argparse

from dateline.stories.clustering_setup import ClusteringSetup, clustering_setup, lexical_setup


def add_lexical_flag(parser: argparse.ArgumentParser, when: str = "") -> None:
    parser.add_argument(
        "--lexical",
        action="store_true",
        help=f"{when}cluster on words alone, with the lexical model, even when the sentence "
        "encoder is installed (the default uses it when it is)",
    )


def chosen_setup(lexical: bool) -> ClusteringSetup:
    return lexical_setup() if lexical else clustering_setup()
