"""``python -m slaengine`` runs the command line (its help names it ``slaengine``, as installed)."""

from slaengine.cli.entry import main

main(prog_name="slaengine")
