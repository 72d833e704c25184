"""The CSV rows shape's mapping file: which columns hold what, how the export is written, and
which event type each activity becomes (docs/import.md describes each field). ``load_mapping``
reads and checks it, every problem named by file, line and field (slaengine.mapping.loading);
slaengine.mapping.csv_rows imports with it."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from slaengine.mapping.loading import Issues, LocatedModel, Model, load_model
from slaengine.mapping.times import TimeSettings
from slaengine.mapping.vocabulary import event_type_issues, text_keys


class Columns(Model):
    """Which CSV columns (by header name) hold what."""

    ticket: str = Field(description="the column with the ticket (case) id")
    time: str = Field(description="the column with the time of the status change")
    activity: str = Field(description="the column with the activity or status")
    severity: str | None = Field(None, description="the column with the severity value")
    asset: str | None = Field(None, description="the column with the asset id")


class CsvSettings(Model):
    """How the export is written (the defaults read what Excel and most tools write)."""

    delimiter: str = Field(",", min_length=1, max_length=1)
    quotechar: str = Field('"', min_length=1, max_length=1)
    encoding: str = "utf-8-sig"

    @field_validator("encoding")
    @classmethod
    def _encoding_exists(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(
                f"{value!r} is not a text encoding Python knows (e.g. utf-8-sig, cp1252, gb18030)"
            ) from None
        return value


class Mapping(LocatedModel):
    """How one ticketing export becomes ticket events (docs/import.md describes each field)."""

    shape: Literal["csv"] = Field("csv", description="what the mapping reads: csv (this one)")
    contract: str | None = Field(None, description="default contract id of the events")
    csv: CsvSettings = CsvSettings()
    columns: Columns = Field(description="which columns hold ticket, time, activity, ...")
    time: TimeSettings = TimeSettings()
    ticket_prefix: str = ""
    activities: dict[str, str | None] = Field(
        description="activity value -> event type, or null for known rows that are not events"
    )
    pause_statuses: list[str] = Field(default_factory=list)
    first_event_is_reported: bool = True
    severity: dict[str, str | None] | None = Field(
        None, description="severity value -> severity, or null for a value that states none"
    )
    attrs: dict[str, str] = Field(default_factory=dict)
    event_types: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _a_csv_mapping(cls, data: Any) -> Any:
        """A webhook mapping given where a CSV mapping is wanted: say so, not its every field."""
        if isinstance(data, dict) and data.get("shape") == "webhook":
            raise Issues(
                [
                    (
                        ("shape",),
                        "this is a webhook mapping (shape: webhook): it is for serve --hook and "
                        "hook try (docs/connectors.md); slaengine import reads a CSV mapping",
                    )
                ]
            )
        return data

    @field_validator("activities", "severity", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        return text_keys(value)

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        issues = event_type_issues(
            self.event_types,
            (
                (("activities", activity), event_type)
                for activity, event_type in self.activities.items()
                if event_type is not None
            ),
            self.attrs,
            skip="null to skip the activity, ",
        )
        if not self.activities:
            issues.append((("activities",), "map at least one activity to an event type"))
        for i, status in enumerate(self.pause_statuses):
            if status in self.activities:
                issues.append(
                    (
                        ("pause_statuses", i),
                        f"{status!r} is also under activities: a pause status is mapped by "
                        f"being listed here (it emits paused; the next row emits resumed), "
                        f"so remove it from activities",
                    )
                )
        if self.severity is not None and self.columns.severity is None:
            issues.append(
                (("severity",), "a severity map needs columns.severity (the column to read)")
            )
        if issues:
            raise Issues(issues)
        return self


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; raise MappingError naming the file, line and field.

    Every problem is listed at once (a mapping is usually written in one sitting, and fixing
    one error per run is slow).
    """
    return load_model(Path(path), Mapping)
