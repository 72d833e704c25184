"""``slaengine contract show``: the whole contract as a person reads it — the parties and the
price, calendars, commitments (targets by zone among them), clauses in words, caps, warranty,
assets, obligations, measures, remedies and contacts — in English, Chinese or both
(``--lang``). The words are slaengine.contract.describe's, which the console shows too."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from slaengine.cli.render import contract_table
from slaengine.contract import describe
from slaengine.contract.describe import label, name_text
from slaengine.contract.models import Contract

LANGS = ("en", "zh", "both")


def _langs(lang: str) -> tuple[str, ...]:
    return ("en", "zh") if lang == "both" else (lang,)


def _said(lang: str, words: Callable[[str], str]) -> str:
    """The text in ``lang``; ``both``: English, then 中文 on the next line (when different)."""
    texts = [words(one) for one in _langs(lang)]
    unique = list(dict.fromkeys(texts))
    return escape("\n".join(unique))


def _title(key: str, lang: str) -> str:
    return " · ".join(dict.fromkeys(label(key, one) for one in _langs(lang)))


def print_contract(contract: Contract, console: Console, lang: str) -> None:
    """Every part of ``contract``, each in its own table or lines, in ``lang``."""
    first = _langs(lang)[0]
    console.print(
        f"[bold]{escape(contract.id)}[/] {label('version', first)} {contract.version}"
        + (f" — {escape(name_text(contract.name, lang))}" if contract.name else "")
    )
    for key, text in (("supplier", contract.supplier), ("customer", contract.customer)):
        if text is not None:
            console.print(f"{_title(key, lang)}: {escape(name_text(text, lang))}", highlight=False)
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    price = (
        f"{contract.price:f} {contract.currency}"
        if contract.price is not None
        else _said(lang, lambda one: label("no_price", one).format(currency=contract.currency))
    )
    facts.add_row(_title("price", lang), price)
    facts.add_row(
        _title("accepted", lang),
        str(contract.accepted_on)
        if contract.accepted_on
        else _said(lang, partial(label, "not_given")),
    )
    if contract.effective_from is not None:
        facts.add_row(_title("in_force", lang), str(contract.effective_from))
    facts.add_row(_title("timezone", lang), contract.timezone)
    facts.add_row(
        _title("severities", lang),
        escape(
            ", ".join(
                f"{key} ({name_text(text, lang, key)})" for key, text in contract.severities.items()
            )
        ),
    )
    console.print(facts)
    console.print(_calendars(contract, lang))
    console.print(contract_table(contract, lang))
    console.print(_clauses(contract, lang))
    caps = [
        (scope, cap)
        for scope in ("per_contract_year", "contract_total")
        if (cap := getattr(contract.caps, scope)) is not None
    ]
    console.print(f"[bold]{_title('caps', lang)}[/]")
    said_caps = [
        _said(lang, partial(describe.cap_words, scope, cap, contract)) for scope, cap in caps
    ]
    if contract.caps.rolling is not None:
        rolling = contract.caps.rolling
        said_caps.append(_said(lang, partial(describe.rolling_cap_words, rolling, contract)))
    if not said_caps:
        console.print("  " + _said(lang, partial(label, "no_caps")).replace("\n", "\n  "))
    for said in said_caps:
        console.print("  " + said.replace("\n", "\n  "), highlight=False)
    console.print(f"[bold]{_title('warranty', lang)}[/]")
    if contract.warranty is None:
        console.print("  " + _said(lang, partial(label, "no_warranty")).replace("\n", "\n  "))
    for one in _langs(lang):
        for line in describe.warranty_words(contract, one):
            console.print(f"  {escape(line)}", highlight=False)
    for table in (
        _assets(contract, lang),
        _obligations(contract, lang),
        _measures(contract, lang),
        _remedies(contract, lang),
        _contacts(contract, lang),
    ):
        if table is not None:
            console.print(table)


#: Column headers in Chinese (``--lang zh``; ``both`` keeps the English ones).
_COLUMNS_ZH = {
    "calendar": "日历",
    "kind": "类型",
    "hours and days": "工作时间与日期",
    "clause": "条款",
    "name": "名称",
    "terms": "内容",
    "asset": "设备",
    "class": "类别",
    "site, zone, ...": "地点、区域等",
    "obligation": "义务",
    "when": "周期",
    "met by": "以何事件履行",
    "clauses": "条款",
    "measure": "指标",
    "target": "目标",
    "remedy": "补救",
    "owed": "应履行",
    "contact": "联系人",
    "hears": "接收的告警",
    "through": "渠道",
    "escalates": "升级",
}


def _table(key: str, lang: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=_title(key, lang), title_justify="left", show_lines=True)
    for column in columns:
        table.add_column(
            _COLUMNS_ZH.get(column, column) if lang == "zh" else column, overflow="fold"
        )
    return table


def _calendars(contract: Contract, lang: str) -> Table:
    table = _table("calendars", lang, ("calendar", "kind", "hours and days"))
    for name, spec in contract.calendars.items():
        written = sorted(spec.model_fields_set - {"kind"})  # as the file gives it
        details = describe.value_text({key: getattr(spec, key) for key in written})
        table.add_row(name, spec.kind, escape(details) or "—")
    return table


def _clauses(contract: Contract, lang: str) -> Table | str:
    if not contract.clauses:
        return _said(lang, partial(label, "no_clauses"))
    table = _table("clauses", lang, ("clause", "name", "kind", "terms"))
    for clause in contract.clauses:
        table.add_row(
            clause.id,
            escape(name_text(clause.name, lang)),
            clause.kind,
            _said(lang, partial(describe.clause_words, clause, contract)),
        )
    return table


def _assets(contract: Contract, lang: str) -> Table | None:
    if not contract.assets:
        return None
    table = _table("assets", lang, ("asset", "class", "name", "site, zone, ..."))
    for asset in contract.assets:
        for row in describe.asset_rows(asset, lang):
            table.add_row(*(escape(cell) for cell in row))
    return table


def _obligations(contract: Contract, lang: str) -> Table | None:
    if not contract.obligations:
        return None
    table = _table("obligations", lang, ("obligation", "name", "when", "met by", "clauses"))
    for item in contract.obligations:
        table.add_row(
            item.id,
            escape(name_text(item.name, lang)),
            _said(lang, partial(describe.schedule_words, item)),
            escape(describe.conditions_words(item.met_by, "en")),
            ", ".join(item.clauses) or "—",
        )
    return table


def _measures(contract: Contract, lang: str) -> Table | None:
    if not contract.measures:
        return None
    table = _table("measures", lang, ("measure", "name", "target"))
    for item in contract.measures:
        table.add_row(
            item.id,
            escape(name_text(item.name, lang)),
            _said(lang, partial(describe.measure_words, item)),
        )
    return table


def _remedies(contract: Contract, lang: str) -> Table | None:
    if not contract.remedies:
        return None
    table = _table("remedies", lang, ("remedy", "name", "owed", "clauses"))
    for item in contract.remedies:
        table.add_row(
            item.id,
            escape(name_text(item.name, lang)),
            _said(lang, partial(describe.remedy_words, item, contract)),
            ", ".join(item.clauses) or "—",
        )
    return table


def _contacts(contract: Contract, lang: str) -> Table | None:
    if not contract.contacts:
        return None
    table = _table("contacts", lang, ("contact", "name", "hears", "through", "escalates"))
    for item in contract.contacts:
        hears = ", ".join(item.kinds) or "every alert"
        if item.commitments:
            hears += f" ({', '.join(item.commitments)})"
        escalates = (
            f"after {item.escalate_after} → {item.next}"
            if item.escalate_after and item.next
            else "—"
        )
        table.add_row(
            item.id,
            escape(name_text(item.name, lang)),
            hears,
            escape(", ".join(channel.kind for channel in item.channels)) or "—",
            escalates,
        )
    return table
