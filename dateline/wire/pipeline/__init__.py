"""Polling's stages, one module each: fetch -> parse -> decide -> store, and the cycle that takes
a batch of feeds through them (see docs/architecture.md, "The wire's poll pipeline").

Only `wire.services` (and the wire's full-text job, which fetches pages) use these modules: an
import-linter contract holds it. Nothing is imported here, so a parse worker or the fetch
process loads only the stage it runs.
"""
