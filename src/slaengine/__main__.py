"""``python -m slaengine`` runs the command line."""

from slaengine.cli.main import app

app()
