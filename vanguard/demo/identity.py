"""Made-up but valid personal data: names, GB 11643 identity numbers, mobile numbers and dates.

Everything comes from one `random.Random` with a fixed seed and is measured from a fixed date, so two
runs (on any day) make the same people with the same identity numbers — the key the demo upserts on.
"""

from __future__ import annotations

import datetime as dt
import random

from vanguard.org.models import Person
from vanguard.org.validators import id_number_check_digit

from . import data

# The demo's "today". Fixed, not the real today, so that ages and identity numbers do not drift from
# one run to the next; it lies in the past, so no generated date is ever in the future.
ANCHOR = dt.date(2026, 6, 30)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


class IdentityMaker:
    """Hands out names, identity numbers and mobiles that are unique within the demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._surnames = list(data.SURNAMES)
        self._weights = list(data.SURNAMES.values())
        self._names: set[str] = set()
        self._ids: set[str] = set()
        self._mobiles: set[str] = set()

    def gender(self, male_share: float) -> str:
        return Person.Gender.MALE if self.rng.random() < male_share else Person.Gender.FEMALE

    def birth_date(self, min_age: int, max_age: int) -> dt.date:
        earliest = add_years(ANCHOR, -max_age - 1) + dt.timedelta(days=1)
        latest = add_years(ANCHOR, -min_age)
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def name(self, gender: str, birth: dt.date) -> str:
        old = birth.year < 1970
        if gender == Person.Gender.MALE:
            given_names = data.MALE_NAMES_OLD if old else data.MALE_NAMES_NEW
        else:
            given_names = data.FEMALE_NAMES_OLD if old else data.FEMALE_NAMES_NEW
        while True:
            name = self.rng.choices(self._surnames, self._weights)[0] + self.rng.choice(given_names)
            # Homonyms exist, but in a demo of a few hundred people they only confuse the reader.
            if name not in self._names:
                self._names.add(name)
                return name

    def id_number(self, birth: dt.date, gender: str, regions: list[str]) -> str:
        while True:
            region = self.rng.choice(regions)
            serial = self.rng.randint(0, 99)
            # The 17th digit is odd for men, even for women (GB 11643).
            sex_digit = self.rng.choice("13579" if gender == Person.Gender.MALE else "02468")
            first17 = f"{region}{birth:%Y%m%d}{serial:02d}{sex_digit}"
            number = first17 + id_number_check_digit(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self._mobiles:
                self._mobiles.add(number)
                return number

    def day_between(self, earliest: dt.date, latest: dt.date) -> dt.date:
        if latest <= earliest:
            return earliest
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def join_date(self, birth: dt.date) -> dt.date:
        """A full member's admission: at 18 or later, mostly in their twenties, and at least a year
        before ANCHOR so that the year of probation is over."""
        earliest = add_years(birth, 18)
        latest = ANCHOR - dt.timedelta(days=400)
        age = round(self.rng.triangular(18, 45, 24))
        return max(earliest, min(latest, self.day_between(add_years(birth, age), add_years(birth, age + 1))))

    def strengths(self, occupation: str) -> list[str]:
        likely = data.OCCUPATION_STRENGTHS.get(occupation, [])
        picked: list[str] = []
        if likely and self.rng.random() < 0.8:
            picked.append(self.rng.choice(likely))
        if self.rng.random() < 0.35:
            extra = self.rng.choice(data.GENERAL_STRENGTHS)
            if extra not in picked:
                picked.append(extra)
        return picked
