"""``python -m slaengine`` runs the command line (its help names it ``slaengine``, as installed)."""

from slaengine.cli.main import app

app(prog_name="slaengine")
