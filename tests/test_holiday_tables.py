"""A working-hours calendar loads only its own country's holidays (issue 23: start-up), and gets
the same table as the ``holidays`` package's own loader."""

from __future__ import annotations

import subprocess
import sys

import holidays
import pytest

from slaengine.calendars.working_hours import _country_table


@pytest.mark.parametrize(
    ("country", "subdiv"), [("CN", None), ("CHN", None), ("DE", "BY"), ("US", "CA"), ("JP", None)]
)
def test_one_country_table_equals_the_packages(country: str, subdiv: str | None) -> None:
    for years in ((2024, 2025), (2026, 2027)):
        ours = _country_table(country, subdiv, years)
        theirs = holidays.country_holidays(country, subdiv=subdiv, years=years)
        assert dict(ours) == dict(theirs)
        assert ours.weekend_workdays == theirs.weekend_workdays


def test_an_unknown_country_is_the_packages_error() -> None:
    with pytest.raises(NotImplementedError, match="XX"):
        _country_table("XX", None, (2026, 2027))


def test_the_other_countries_are_not_imported() -> None:
    script = (
        "import sys\n"
        "from slaengine.calendars.working_hours import _country_days\n"
        "off, makeup = _country_days('CN', None, 2026)\n"
        "assert len(off) > 20 and makeup, (off, makeup)\n"
        "print('holidays.countries' in sys.modules, 'holidays.countries.germany' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_threads_asking_at_once_all_get_the_table() -> None:
    # serve's judge threads may need a country's holidays at the same moment.
    script = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from slaengine.calendars.working_hours import _country_table\n"
        "asks = [('CN', None), ('DE', 'BY'), ('JP', None)] * 4\n"
        "with ThreadPoolExecutor(12) as pool:\n"
        "    tables = list(pool.map(lambda a: dict(_country_table(*a, (2026, 2027))), asks))\n"
        "import holidays\n"
        "for (country, subdiv), table in zip(asks, tables):\n"
        "    assert table == dict(holidays.country_holidays(country, subdiv=subdiv,"
        " years=(2026, 2027))), country\n"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "ok"


def test_the_registry_read_from_its_file_is_the_packages() -> None:
    # Validation checks a country against the registry read from holidays/registry.py without
    # importing the package (issue 23: start-up); it must be the registry the package uses.
    script = (
        "import sys\n"
        "from slaengine.calendars.working_hours import _country_registry\n"
        "read = _country_registry()\n"
        "imported = 'holidays' in sys.modules\n"
        "from holidays.registry import COUNTRIES\n"
        "print(imported, read == COUNTRIES, len(read))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    imported, equal, count = result.stdout.split()
    assert (imported, equal) == ("False", "True")
    assert int(count) > 100


def test_an_unknown_country_is_still_refused_by_validation() -> None:
    from pydantic import ValidationError

    from slaengine.calendars.working_hours import HolidaySource

    assert HolidaySource(country="CN").country == "CN"
    assert HolidaySource(country="Germany").country == "Germany"
    with pytest.raises(ValidationError, match="no public holidays known for country 'XX'"):
        HolidaySource(country="XX")
