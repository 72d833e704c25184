"""slaengine: holds suppliers to the after-sales commitments they signed.

Contract terms (contracts/, rules/) are compiled into durable_rules rule sets; ticket events are
evaluated against them by event time; the result is clocks, breaches, penalty lines, warranty
answers and obligation periods. See README.md and docs/.
"""

__version__ = "0.1.0"
