"""``service.yaml``: managed hours, the response target, and which items need no response.

Policy section 3: channels are managed 9am to 4pm Monday to Friday, and the audience can expect
a response, "where appropriate", within 24 hours. This file says what those words mean for the
response-time figures; the builder methods turn it into the domain's clock and rules.
"""

from __future__ import annotations

import enum
import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trident_pipeline.config.staff import StaffConfig
from trident_pipeline.domain.managed_hours import (
    ManagedHours,
    ResponseTarget,
    TargetBasis,
    bank_holidays,
)
from trident_pipeline.domain.models import Kind
from trident_pipeline.domain.responders import Attributor
from trident_pipeline.domain.responses import ResponseMatcher, ResponseRules

__all__ = [
    "AutomatedConfig",
    "BankHolidaysConfig",
    "ExclusionsConfig",
    "ManagedHoursConfig",
    "ServiceConfig",
    "TargetConfig",
    "Weekday",
]


class Weekday(enum.StrEnum):
    """A day of the week, as written in the YAML."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """Monday ``0`` to Sunday ``6``, as :meth:`datetime.date.weekday` counts."""
        return list(Weekday).index(self)


def _compiles(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"{pattern!r} is not a regular expression ({error})") from None
    return patterns


class ManagedHoursConfig(BaseModel):
    """When the channels are managed, in local time of :attr:`ServiceConfig.timezone`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: tuple[Weekday, ...] = Field(min_length=1)
    opens: time
    closes: time

    @field_validator("opens", "closes", mode="before")
    @classmethod
    def _quoted_time(cls, value: object) -> object:
        # Unquoted 09:00 is YAML 1.1 sexagesimal: the integer 540, which would mean 00:09.
        if not isinstance(value, str | time):
            raise ValueError('write the time in quotes, such as "09:00"')
        return value

    @model_validator(mode="after")
    def _opens_before_closing(self) -> ManagedHoursConfig:
        if not self.opens < self.closes:
            raise ValueError("managed hours must open before they close")
        return self


class BankHolidaysConfig(BaseModel):
    """Whose bank holidays close the channels, as the ``holidays`` package names them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    country: str = Field(min_length=2)
    subdivision: str | None = None

    @model_validator(mode="after")
    def _known_calendar(self) -> BankHolidaysConfig:
        try:
            bank_holidays(self.country, self.subdivision)
        except NotImplementedError:
            raise ValueError(
                f"the holidays package has no calendar for {self.country}/{self.subdivision}"
            ) from None
        return self


class TargetConfig(BaseModel):
    """The promised response time and which duration it is judged on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hours: float = Field(gt=0)
    basis: TargetBasis = TargetBasis.WORKING_DAY


class ExclusionsConfig(BaseModel):
    """Rules for items that need no response; an operator's mark overrides them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: tuple[Kind, ...] = ()
    thanks_patterns: tuple[str, ...] = ()
    spam_patterns: tuple[str, ...] = ()

    @field_validator("thanks_patterns", "spam_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return _compiles(patterns)


class AutomatedConfig(BaseModel):
    """How to recognise the organisation's automated messages, and whether they answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    markers: tuple[str, ...] = ()
    counts_as_response: bool = False

    @field_validator("markers")
    @classmethod
    def _markers_compile(cls, markers: tuple[str, ...]) -> tuple[str, ...]:
        return _compiles(markers)


class ServiceConfig(BaseModel):
    """The response-time service the policy promises (policy section 3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "Europe/London"
    managed_hours: ManagedHoursConfig
    bank_holidays: BankHolidaysConfig
    target: TargetConfig
    exclusions: ExclusionsConfig = ExclusionsConfig()
    automated: AutomatedConfig = AutomatedConfig()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not an IANA timezone name") from None
        return name

    def clock(self) -> ManagedHours:
        """The managed-hours clock, closed on the configured bank holidays.

        Raises:
            ValueError: when the values break a rule of :class:`ManagedHours`, which a loaded
                configuration has already been checked against.
        """
        hours = self.managed_hours
        return ManagedHours(
            timezone=self.timezone,
            days=(day.number for day in hours.days),
            opens=hours.opens,
            closes=hours.closes,
            holidays=bank_holidays(self.bank_holidays.country, self.bank_holidays.subdivision),
        )

    def response_target(self) -> ResponseTarget:
        """The response target and the duration it is judged on.

        Raises:
            ValueError: when the hours are not positive, which a loaded configuration
                has already been checked against.
        """
        return ResponseTarget(hours=self.target.hours, basis=self.target.basis)

    def response_matcher(self, staff: StaffConfig) -> ResponseMatcher:
        """The matcher of replies to items, with this clock, target and rules, and ``staff``.

        Raises:
            ValueError: when two responders of ``staff`` share a sign-off form, or a form has
                no letter or digit.
        """
        return ResponseMatcher(
            clock=self.clock(),
            target=self.response_target(),
            rules=ResponseRules(
                kinds=frozenset(self.exclusions.kinds),
                thanks_patterns=self.exclusions.thanks_patterns,
                spam_patterns=self.exclusions.spam_patterns,
                automated_counts_as_response=self.automated.counts_as_response,
            ),
            attributor=Attributor(
                sign_offs={person.pseudonym: person.sign_offs for person in staff.responders},
                automated_markers=self.automated.markers,
            ),
        )
