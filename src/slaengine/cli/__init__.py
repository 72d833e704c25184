"""The ``slaengine`` command: thin typer shells over the core."""
