"""``python -m osintkit`` runs the command line."""

from osintkit.cli import app

app()
