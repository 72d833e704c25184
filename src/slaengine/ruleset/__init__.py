"""Contract conditions compiled into durable_rules rule sets, and the matcher that asks them."""

from slaengine.ruleset.compiler import Action, compile_ruleset
from slaengine.ruleset.matcher import Matcher, matcher_for

__all__ = ["Action", "Matcher", "compile_ruleset", "matcher_for"]
