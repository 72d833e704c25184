"""``warranty_extension``: a remedy, not money (``W-final``: a failed final inspection extends
the unit's warranty by a year). The line records it for billing; the warranty engine applies
the extension itself."""

from __future__ import annotations

from slaengine.contract.models import WarrantyExtensionClause
from slaengine.durations import Duration
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds.base import ClauseKind, occasion, register
from slaengine.penalties.lines import REMEDY, Priced, Trigger


@register
class WarrantyExtension(ClauseKind):
    name = "warranty_extension"
    section = REMEDY

    def price(
        self, clause: WarrantyExtensionClause, trigger: Trigger, evidence: Evidence
    ) -> list[Priced]:
        asset = trigger.asset or "?"
        by: Duration = clause.extend_by
        why_en = occasion(trigger, "en", evidence.zone)
        why_zh = occasion(trigger, "zh", evidence.zone)
        return [
            Priced(
                None,
                f"warranty of {asset} extended by {by.words('en')}, {why_en}",
                f"{asset}保修期延长{by.words('zh')}，{why_zh}",
            )
        ]
