"""The series registry: which series exist, their ISSN, publisher, unit and template."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

REGISTRY_FILE_NAME = "series.yaml"

_ISSN_RE = re.compile(r"^(\d{4})-?(\d{3})([\dXx])$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SERIES_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def issn_check_digit(first_seven: str) -> str:
    """Return the ISSN check digit ("0"–"9" or "X") for seven digits (ISO 3297, mod 11)."""
    total = sum(int(d) * w for d, w in zip(first_seven, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _valid_issn(value: str) -> str:
    match = _ISSN_RE.match(value.strip())
    if not match:
        raise ValueError("an ISSN is eight characters, NNNN-NNNC, e.g. 2975-0598")
    digits, tail, check = match.group(1), match.group(2), match.group(3).upper()
    expected = issn_check_digit(digits + tail)
    if check != expected:
        raise ValueError(
            f"ISSN check digit is wrong: {digits}-{tail}{check} should end in {expected}"
        )
    return f"{digits}-{tail}{check}"


def _valid_email(value: str) -> str:
    if not _EMAIL_RE.match(value):
        raise ValueError("not an e-mail address")
    return value


Issn = Annotated[str, AfterValidator(_valid_issn)]
Email = Annotated[str, AfterValidator(_valid_email)]
NonEmpty = Annotated[str, Field(min_length=1, max_length=300)]


class Series(BaseModel):
    """One publication series, as the registry describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    title: NonEmpty
    issn: Issn
    publisher: NonEmpty
    unit: NonEmpty
    contact: Email
    template: NonEmpty = "series"
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None


class Registry(RootModel[dict[Annotated[str, Field(pattern=SERIES_KEY_PATTERN)], Series]]):
    """Every series of a registry file, by key."""


def find_registry(start: Path) -> Path | None:
    """Return the nearest ``series.yaml`` in ``start`` (a brief file or folder) or a parent."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        path = candidate / REGISTRY_FILE_NAME
        if path.is_file():
            return path
    return None
