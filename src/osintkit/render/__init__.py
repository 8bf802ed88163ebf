"""Rendering stages: a validated brief → HTML (:mod:`.html`) → PDF (:mod:`.pdf`)."""
