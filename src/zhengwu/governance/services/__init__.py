"""Writes of the governance app, one module per entity (docs/design.md rule 1)."""
