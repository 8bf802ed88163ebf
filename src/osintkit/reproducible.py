"""The one instant a reproducible output may carry, from ``SOURCE_DATE_EPOCH``.

Kept apart from the render pipeline, with no heavy imports, so a command can check the
environment before it starts work (and a no-op build stays as fast as hashing files).
"""

from __future__ import annotations

import datetime as dt
import os

from osintkit.errors import UsageError

#: The last second a PDF date (and Python's datetime) can hold: 9999-12-31T23:59:59Z.
_LAST_EPOCH = 253_402_300_799


def source_date_epoch() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org) as a UTC time, or None when unset.

    Raises :class:`UsageError` for a value that is not a whole number of seconds from 1970
    to the end of year 9999: the specification asks tools to fail on a malformed value
    rather than fall back to something else silently.
    """
    text = os.environ.get("SOURCE_DATE_EPOCH")
    if text is None or not text.strip():
        return None
    value = text.strip()
    # The length first: int() refuses numbers of over 4300 digits with an error of its own.
    if not (value.isascii() and value.isdigit() and len(value) <= 12) or int(value) > _LAST_EPOCH:
        shown = value if len(value) <= 30 else value[:30] + "…"
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 up to "
            f"{_LAST_EPOCH} (the end of year 9999), not {shown!r}"
        )
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def publication_time(date: dt.date) -> dt.datetime:
    """The date stamped into a report's PDF: ``SOURCE_DATE_EPOCH`` if set, else ``date``
    (the brief's) at midnight UTC.

    Never the wall clock, so rendering the same brief twice gives the same bytes. Raises
    :class:`UsageError` for a malformed ``SOURCE_DATE_EPOCH``.
    """
    return source_date_epoch() or dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC)
