"""Ingest: what brings items in from outside the store (feeds fetched over HTTP)."""
