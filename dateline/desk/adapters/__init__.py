"""The only desk modules that import a third-party library with no Django in it."""
