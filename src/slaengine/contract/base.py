"""What every part of the contract language is made of: the base ``Model`` (unknown keys
are errors, values frozen), amounts (``Money``, ``Percent``), bilingual ``Text``, the
``Provenance`` of a drafted term, and the event vocabulary every contract understands."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def empty_list() -> list[Any]:
    """A new empty list: the default of the models' list fields.

    Not ``default_factory=list``: for each such field pydantic asks ``inspect.signature`` of the
    factory when the contract's schema is built, which for the builtin ``list`` means parsing
    its text signature (~0.1 ms; ~70 fields, at the start-up of every command that loads a
    contract), while a function's signature is read from its code.
    """
    return []


#: Event types every contract understands (reference.md §2). A contract may add its own.
BUILTIN_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "reported",
        "acknowledged",
        "dispatched",
        "arrived",
        "plan_provided",
        "resolved",
        "report_submitted",
        "callback_done",
        "paused",
        "resumed",
        "reclassified",
        "reopened",
        "cancelled",
        "part_replaced",
        "inspection_done",
        "final_inspection",
        "cost_claimed",
        "site_violation",
        "force_majeure",
        "breach_waived",
        "sent_to_factory",
        "returned_from_factory",
    }
)

#: Event types that concern the contract or an asset rather than one ticket.
TICKETLESS_EVENT_TYPES: frozenset[str] = frozenset(
    {"force_majeure", "part_replaced", "inspection_done", "final_inspection", "site_violation"}
)

#: Fields a condition may test besides ``type`` (``id`` is excluded on purpose: durable_rules
#: crashes on conditions over its reserved field ``id``, see docs/design.md).
CONDITION_FIELDS = ("severity", "asset", "ticket")

#: The classes of assets (reference.md §5).
ASSET_CLASSES = ("unit", "key_part", "part")


class Model(BaseModel):
    # defer_build: a model's validator is built when it is first used, not when the class is
    # made; validating a Contract builds one schema holding the nested models, so the ~30
    # nested classes never build validators of their own (start-up of every command).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


def _money(value: Any) -> Decimal:
    """Money is written as a string ("1280000.00"); a YAML number is taken by its text."""
    if isinstance(value, bool):
        raise ValueError('an amount is a number such as "500.00", not true/false')
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except ArithmeticError:
            raise ValueError(f'{value!r} is not an amount: write it like "500.00"') from None
    else:
        raise ValueError(f'{value!r} is not an amount: write it like "500.00"')
    if not result.is_finite():
        raise ValueError(f'{value!r} is not an amount: write it like "500.00"')
    if result < 0:
        raise ValueError(f"{value!r}: amounts cannot be negative")
    return result


Money = Annotated[Decimal, BeforeValidator(_money)]
Percent = Annotated[Decimal, BeforeValidator(_money)]


class Text(Model):
    """A name in Chinese and English; either may be missing, the other is then shown."""

    zh: str | None = None
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"en": value, "zh": value}
        return value

    def get(self, lang: str) -> str:
        if lang == "zh":
            return self.zh or self.en or ""
        return self.en or self.zh or ""

    def both(self) -> str:
        if self.zh and self.en and self.zh != self.en:
            return f"{self.zh} / {self.en}"
        return self.zh or self.en or ""


class Source(Model):
    """Where a term was read from: a line of the tender text and the exact sentence there.

    Written by ``slaengine contract draft`` so a reviewer can check each term against the tender;
    the engine itself never reads it.
    """

    line: int = Field(ge=1)
    text: str


def _listed(*single: type) -> Callable[[Any], Any]:
    """A field that takes one item or a list of them: nothing is an empty list, one item (an
    instance of ``single``) a list of one."""

    def listed(value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, single):
            return [value]
        return value

    return listed


#: ``source: {line, text}``, or a list of them when a term was stated in several sentences.
#: Excluded from dumps: provenance is not part of a contract's meaning (nor of its fingerprint).
Provenance = Annotated[list[Source], BeforeValidator(_listed(dict, Source))]
