"""The desk's pure rules: no Django, no I/O."""
