"""The desk's screens, one module each; `dateline.desk.urls` maps them."""
