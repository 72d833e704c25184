"""Reading the times a helpdesk writes, the same way for every shape of mapping (``time:``).

Naive timestamps are read in the mapping's ``time.timezone``; timestamps with an offset
keep theirs. A wall time that occurs twice (the autumn change: Europe/Rome 2013-10-27 02:30) is
read as the earlier of the two by default (``ambiguous: earlier``, PEP 495 ``fold=0``); one that
never occurs (the spring gap) is moved forward by the gap (``nonexistent: forward``). Both can be
set to ``reject``, which reports the row instead. Formats are compiled once into a regular
expression equivalent to ``datetime.strptime`` (twice as fast, measured); a directive the fast path
does not know falls back to ``strptime`` itself.

``write_in`` rewrites every time in one zone, so the same change read from a CSV export and from
a webhook (which may give other offsets) gets the same text, and so the same event id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from slaengine.mapping.loading import Model
from slaengine.mapping.vocabulary import shown

__all__ = ["Reader", "TimeReader", "TimeSettings", "compile_format"]

#: A time to show what a format looks like in error messages (and to try formats with).
_SAMPLE: Final = datetime(2026, 3, 2, 9, 5, 7, 123000, tzinfo=timezone(timedelta(hours=8)))


class TimeSettings(Model):
    """How to read times (a CSV's time column, a webhook's time paths)."""

    format: list[str] = Field(
        ["iso"],
        description="strptime format(s), 'iso' for ISO 8601 / RFC 3339, or 'epoch' / "
        "'epoch_ms' for Unix seconds / milliseconds",
    )
    timezone: str | None = Field(None, description="IANA zone for timestamps without an offset")
    ambiguous: Literal["earlier", "later", "reject"] = "earlier"
    nonexistent: Literal["forward", "reject"] = "forward"
    write_in: str | None = Field(
        None,
        description="IANA zone every time is written in (and so its event id), whatever offset "
        "the source gave; without it a time keeps the offset it was read with",
    )

    @field_validator("format", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        """One format is written as a string, several (tried in order) as a list."""
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise ValueError(
                f"{value!r}: write a strptime format ('%Y/%m/%d %H:%M:%S'), 'iso', or a list "
                "of them (tried in order)"
            )
        return value

    @field_validator("format")
    @classmethod
    def _formats_work(cls, formats: list[str]) -> list[str]:
        if not formats:
            raise ValueError("give at least one format (or 'iso')")
        for fmt in formats:
            if fmt in _WHOLE_FORMATS:
                continue
            if "%" not in fmt:
                raise ValueError(
                    f"{fmt!r} has no % directives: write a strptime format such as "
                    "'%Y/%m/%d %H:%M:%S.%f', or 'iso'"
                )
            try:  # a format that cannot read back what it writes has a bad directive
                datetime.strptime(_SAMPLE.strftime(fmt), fmt)
            except ValueError as exc:
                raise ValueError(f"{fmt!r} is not a usable strptime format ({exc})") from None
        return formats

    @field_validator("timezone", "write_in")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"{value!r} is not an IANA time zone (write e.g. Europe/Rome, Asia/Shanghai)"
                ) from None
        return value


# The patterns of CPython's _strptime (3.11) for the directives exports use, so the fast path
# accepts exactly what strptime accepts (tests compare the two).
_DIRECTIVES: Final = {
    "Y": r"(?P<Y>\d\d\d\d)",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "d": r"(?P<d>3[01]|[12]\d|0[1-9]|[1-9]| [1-9])",
    "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "M": r"(?P<M>[0-5]\d|\d)",
    "S": r"(?P<S>6[0-1]|[0-5]\d|\d)",
    "f": r"(?P<f>[0-9]{1,6})",
    "z": r"(?P<z>[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z))",
}

Reader = Callable[[str], datetime]


def _epoch(scale: int) -> Reader:
    """A reader of Unix time (seconds, or milliseconds with ``scale`` 1000), in UTC."""
    unit = "seconds" if scale == 1 else "milliseconds"

    def read(text: str) -> datetime:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{shown(text)} is not a number of {unit} since 1970") from None
        try:
            return datetime.fromtimestamp(number / scale, UTC)
        except (OverflowError, OSError, ValueError):  # inf, nan, past year 9999
            raise ValueError(f"{shown(text)} {unit} since 1970 is not a date") from None

    return read


#: Formats that are not strptime patterns: what each reads.
_WHOLE_FORMATS: Final = {
    "iso": "ISO 8601 / RFC 3339",
    "epoch": "seconds since 1970-01-01 UTC",
    "epoch_ms": "milliseconds since 1970-01-01 UTC",
}


def compile_format(fmt: str) -> Reader:
    """One strptime format as a fast reader (or strptime itself for directives not covered)."""
    if fmt == "iso":
        return datetime.fromisoformat
    if fmt in ("epoch", "epoch_ms"):
        return _epoch(1 if fmt == "epoch" else 1000)
    parts: list[str] = []
    used: set[str] = set()
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code == "%":
                parts.append("%")
            elif code in _DIRECTIVES and code not in used:
                parts.append(_DIRECTIVES[code])
                used.add(code)
            else:
                return lambda text: datetime.strptime(text, fmt)
            i += 2
        elif char.isspace():
            while i < len(fmt) and fmt[i].isspace():
                i += 1
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
            i += 1
    pattern = re.compile("".join(parts), re.IGNORECASE)
    match = pattern.fullmatch
    # Positions in Match.groups() (0-based); a directive the format lacks takes strptime's
    # default (1900-01-01 00:00:00), written as an index past the end of the groups.
    defaults = {"Y": "1900", "m": "1", "d": "1", "H": "0", "M": "0", "S": "0", "f": "0"}
    order = "YmdHMSf"
    spare = pattern.groups
    index = [pattern.groupindex[c] - 1 if c in used else spare + order.index(c) for c in order]
    padding = tuple(defaults[c] for c in order)
    i_year, i_month, i_day, i_hour, i_minute, i_second, i_fraction = index
    i_offset = pattern.groupindex["z"] - 1 if "z" in used else None
    offsets: dict[str, timezone] = {}

    def read(text: str) -> datetime:
        found = match(text)
        if found is None:
            raise ValueError(f"{text!r} does not match format {fmt!r}")
        g = found.groups() + padding
        moment = datetime(
            int(g[i_year]),
            int(g[i_month]),
            int(g[i_day]),
            int(g[i_hour]),
            int(g[i_minute]),
            int(g[i_second]),
            int(g[i_fraction].ljust(6, "0")),
        )
        if i_offset is None:
            return moment
        offset = g[i_offset]
        zone = offsets.get(offset)
        if zone is None:
            zone = offsets[offset] = _offset_zone(offset)
        return moment.replace(tzinfo=zone)

    return read


def _offset_zone(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    seconds, _, micro = digits[4:].partition(".")
    delta = timedelta(
        hours=int(digits[0:2]),
        minutes=int(digits[2:4]),
        seconds=int(seconds or 0),
        microseconds=int(micro.ljust(6, "0")) if micro else 0,
    )
    return timezone(sign * delta)


def _example(fmt: str) -> str:
    if fmt == "iso":
        return "2026-03-02T09:05:07+08:00 or 2026-03-02 09:05:07"
    if fmt == "epoch":
        return "1772413507"
    if fmt == "epoch_ms":
        return "1772413507123"
    return _SAMPLE.strftime(fmt)


class TimeReader:
    """Reads one time (a CSV cell, a JSON value) into (aware time, naive UTC sort key), or
    raises ValueError saying why not."""

    def __init__(self, settings: TimeSettings, place: str = "") -> None:
        """``place`` says where the times are read, for errors (`` in column 'Time'``)."""
        self._readers = [compile_format(fmt) for fmt in settings.format]
        self._zone = ZoneInfo(settings.timezone) if settings.timezone else None
        self._ambiguous = settings.ambiguous
        self._nonexistent = settings.nonexistent
        shown = " or ".join(f"{fmt!r} (e.g. {_example(fmt)})" for fmt in settings.format)
        self._expected = f"time.format {shown}"
        self._place = place
        self._hours: dict[tuple[int, int, int, int], tuple[timezone, timedelta]] = {}
        self._odd_hours: set[tuple[int, int, int, int]] = set()
        self._fixed: dict[timedelta, timezone] = {}
        self._write_in = ZoneInfo(settings.write_in) if settings.write_in else None
        #: Reads one time cell: (aware time, naive UTC sort key). Bound once, so the hot path
        #: pays no extra call when times are written as read (no ``write_in``).
        self.read: Callable[[str], tuple[datetime, datetime]] = (
            self._read_and_convert if self._write_in is not None else self._read
        )

    def _read_and_convert(self, text: str) -> tuple[datetime, datetime]:
        moment, key = self._read(text)
        try:
            return moment.astimezone(self._write_in), key
        except OverflowError:
            raise self._out_of_range(text) from None

    def _out_of_range(self, text: str) -> ValueError:
        return ValueError(
            f"time {shown(text)}{self._place} is outside the years 1-9999 once read in UTC"
        )

    def _read(self, text: str) -> tuple[datetime, datetime]:
        try:  # free unless raised (3.11); one function, so the hot path makes no extra call
            moment: datetime | None = None
            for reader in self._readers:
                try:
                    moment = reader(text)
                    break
                except ValueError:
                    continue
            if moment is None:
                raise ValueError(f"time {shown(text)}{self._place} does not match {self._expected}")
            offset = moment.utcoffset()
            if offset is not None:  # the export said which offset: keep it
                return moment, moment.replace(tzinfo=None) - offset
            zone = self._zone
            if zone is None:
                raise ValueError(
                    f"time {text!r} has no UTC offset and the mapping sets no time.timezone: "
                    "add e.g. 'timezone: Europe/Rome' under time, or export times with an offset"
                )
            # Most hours of a year have one offset: remember those per wall-clock hour, and give
            # their times a fixed-offset zone (it prints the same RFC 3339 text). An hour with a
            # change in it - repeated, skipped, or changed at a minute other than :00 - is never
            # remembered and takes the careful path below every time.
            hour = (moment.year, moment.month, moment.day, moment.hour)
            known = self._hours.get(hour)
            if known is not None:
                return moment.replace(tzinfo=known[0]), moment - known[1]
            local = moment.replace(tzinfo=zone)
            offset = local.utcoffset()
            other = local.replace(fold=1).utcoffset()
            assert offset is not None and other is not None
            if offset != other:
                local, offset = self._odd(text, local, offset, other)
            elif hour not in self._odd_hours:
                self._learn(hour, zone)
                known = self._hours.get(hour)
                if known is not None:
                    return moment.replace(tzinfo=known[0]), moment - known[1]
            return local, moment - offset
        except OverflowError:  # 0001-01-01T00:00+14:00, 9999-12-31T23:59-14:00
            raise self._out_of_range(text) from None

    def _learn(self, hour: tuple[int, int, int, int], zone: ZoneInfo) -> None:
        """Remember an hour's offset if the whole hour has that one offset."""
        start = datetime(*hour, tzinfo=zone)
        end = start.replace(minute=59, second=59, microsecond=999999)
        offsets = {
            start.utcoffset(),
            start.replace(fold=1).utcoffset(),
            end.utcoffset(),
            end.replace(fold=1).utcoffset(),
        }
        if len(offsets) == 1:
            offset = offsets.pop()
            assert offset is not None
            fixed = self._fixed.get(offset)
            if fixed is None:
                fixed = self._fixed[offset] = timezone(offset)
            self._hours[hour] = (fixed, offset)
        else:
            self._odd_hours.add(hour)

    def _odd(
        self, text: str, local: datetime, offset: timedelta, other: timedelta
    ) -> tuple[datetime, timedelta]:
        """A wall time at a daylight-saving change: twice (ambiguous) or never (in the gap)."""
        zone = local.tzinfo
        if offset > other:  # fold=0 is the earlier reading of a repeated hour
            if self._ambiguous == "earlier":
                return local, offset
            if self._ambiguous == "later":
                return local.replace(fold=1), other
            raise ValueError(
                f"time {text!r} occurs twice in {zone} (clocks went back); set "
                "time.ambiguous to earlier or later, or export times with an offset"
            )
        if self._nonexistent == "forward":
            # fold=0 reads a gap time with the offset before the change: the same instant as
            # the wall time moved forward by the gap (02:30 -> 03:30 in Europe/Rome).
            moved = (local.replace(tzinfo=None) - offset).replace(tzinfo=UTC).astimezone(zone)
            return moved, offset
        raise ValueError(
            f"time {text!r} does not exist in {zone} (clocks went forward); set "
            "time.nonexistent to forward, or correct the export"
        )
