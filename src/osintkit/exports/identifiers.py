"""The ids and times every export of an issue shares, derived from the issue, never drawn.

An id is a UUID version 5 of the issue (its ISSN, or its series key for a series without
one), its volume and issue, its marking and the object's role in it ("report",
"key-judgement/1", "source/mfa-belarus-iran"): exporting twice gives the same ids, so a
platform importing a bundle again updates its objects instead of adding copies, and the STIX
report and the MISP event of one issue carry one UUID. The marking is part of it because an
issue's editions differ in content: the TLP:CLEAR edition of a TLP:AMBER brief is another
object, not a version of the full one. Every time is the brief's date, at midnight UTC.
"""

from __future__ import annotations

import datetime as dt
import uuid

from osintkit.portions import marking
from osintkit.validation import LoadedBrief

#: The namespace of every osintkit export id (itself uuid5 of a URL of osintkit's own).
NAMESPACE = uuid.UUID("1b6e3274-7b90-5450-ae22-7ad35038f6e4")


def series_name(loaded: LoadedBrief) -> str:
    """What names the series in an id: ``issn:2975-0598``, or ``series:<key>`` without one."""
    issn = loaded.series.issn
    return f"issn:{issn}" if issn else f"series:{loaded.brief.series}"


def issue_uuid(loaded: LoadedBrief, role: str) -> uuid.UUID:
    """The UUID of the object playing ``role`` in the export of this issue at its marking."""
    brief = loaded.brief
    level = marking(brief, loaded.series).full
    name = f"{series_name(loaded)}/{brief.volume}/{brief.issue}/{level}/{role}"
    return uuid.uuid5(NAMESPACE, name)


def series_uuid(loaded: LoadedBrief, role: str) -> uuid.UUID:
    """The UUID of what the series' issues share (its unit as a MISP organisation)."""
    return uuid.uuid5(NAMESPACE, f"{series_name(loaded)}/{role}")


def midnight(loaded: LoadedBrief) -> dt.datetime:
    """The brief's date at 00:00 UTC: the time of every object an export makes."""
    return dt.datetime.combine(loaded.brief.date, dt.time(), tzinfo=dt.UTC)
