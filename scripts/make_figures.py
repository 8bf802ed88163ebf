"""Draw the longer sample brief's two figures from its data: SVG charts, byte for byte the same.

    python scripts/make_figures.py                  # briefs/data/chronology.csv -> briefs/figures/
    python scripts/make_figures.py --out /tmp/figs  # somewhere else, to compare

Standard library only and nothing from the network: the charts are drawn from the events
in ``briefs/data/chronology.csv`` (the chronology of ``briefs/persian-files-long-sample.yaml``,
one row an event, with its channel and where it took place). The SVG keeps to what
osintkit's allow-list passes (shapes, text, attributes; no CSS, no script, no references)
and names the fonts the report template uses, so the PDF and the HTML show the same chart.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "briefs" / "data" / "chronology.csv"
OUT = ROOT / "briefs" / "figures"
CHANNELS_FILE = "chronology-channels.svg"
VENUES_FILE = "chronology-venues.svg"

COLUMNS = ("date", "channel", "venue", "source", "event")
#: The order the charts list channels and venues in (the data may hold them in any order).
CHANNELS = (
    "Diplomatic missions",
    "Heads of state",
    "Foreign ministries",
    "Parliaments",
    "Government and economy",
)
VENUES = ("Iran", "Belarus", "Third country", "Not stated")
VENUE_LABELS = {
    "Iran": "In Iran",
    "Belarus": "In Belarus",
    "Third country": "In a third country",
    "Not stated": "Not stated",
}
#: The sources the data cites: the ministry's page (six sections) and Persian Files 29/2.
MINISTRY_PREFIX = "mfa-"

# Okabe–Ito colours: told apart with every common colour-vision deficiency.
BLUE, VERMILION, GREEN, GREY = "#0072B2", "#D55E00", "#009E73", "#9A9A9A"
VENUE_COLOURS = {"Iran": BLUE, "Belarus": VERMILION, "Third country": GREEN, "Not stated": GREY}
INK, MUTED, RULE = "#1A1A1A", "#555555", "#C8C8C8"
FONT = "'Noto Sans', 'DejaVu Sans', sans-serif"
#: User units across: shown at 70-100 % of the 170 mm text width, 13 units set about 8 pt.
WIDTH = 640


class DataError(ValueError):
    """A row of the data the charts cannot draw."""


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the data: a dated event, through one channel, in one place."""

    date: str  # YYYY, YYYY-MM or YYYY-MM-DD, as the chronology writes it
    channel: str
    venue: str
    source: str
    event: str

    @property
    def position(self) -> float:
        """The date as a fractional year; a year alone or a month alone is placed at its middle."""
        parts = [int(p) for p in self.date.split("-")]
        if len(parts) == 1:
            return parts[0] + 0.5
        if len(parts) == 2:
            return parts[0] + (parts[1] - 0.5) / 12
        return parts[0] + (parts[1] - 1 + (parts[2] - 0.5) / 31) / 12

    @property
    def year(self) -> int:
        return int(self.date[:4])


def read_events(path: Path) -> list[Event]:
    """Read the data, refusing a row whose channel, venue or date the charts do not know."""
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
    if reader.fieldnames != list(COLUMNS):
        raise DataError(
            f"{path}:1: the columns are {', '.join(reader.fieldnames or ['none'])}, "
            f"not {', '.join(COLUMNS)}"
        )
    events: list[Event] = []
    for line, row in enumerate(rows, start=2):
        event = Event(row["date"], row["channel"], row["venue"], row["source"], row["event"])
        if event.channel not in CHANNELS:
            raise DataError(f"{path}:{line}: unknown channel {event.channel!r}")
        if event.venue not in VENUES:
            raise DataError(f"{path}:{line}: unknown venue {event.venue!r}")
        parts = event.date.split("-")
        if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts)):
            raise DataError(f"{path}:{line}: date {event.date!r} is not YYYY[-MM[-DD]]")
        events.append(event)
    if not events:
        raise DataError(f"{path}: no rows")
    return events


def _n(value: float) -> str:
    """A coordinate as written: at most two decimals, no trailing zeros (the same on every run)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x: float, y: float, content: str, **attributes: str) -> str:
    extra = "".join(f" {name.replace('_', '-')}={quoteattr(v)}" for name, v in attributes.items())
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{escape(content)}</text>'


def _axis_titles(
    body: list[str], left: float, right: float, top: float, bottom: float, x_title: str
) -> float:
    """Append the x axis's title under the plot and "Channel" up its left side; return the
    x title's baseline, which the legend is set below."""
    axis_y = bottom + 42
    body.append(
        _text((left + right) / 2, axis_y, x_title, font_size="13", text_anchor="middle", fill=MUTED)
    )
    body.append(
        _text(
            16,
            (top + bottom) / 2,
            "Channel",
            font_size="13",
            fill=MUTED,
            text_anchor="middle",
            transform=f"rotate(-90 16 {_n((top + bottom) / 2)})",
        )
    )
    return axis_y


def _document(height: int, title: str, description: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family={quoteattr(FONT)} fill="{INK}">'
    )
    return "\n".join(
        [
            head,
            f"<title>{escape(title)}</title>",
            f"<desc>{escape(description)}</desc>",
            f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#FFFFFF"/>',
            _text(16, 26, title, font_size="16", font_weight="700"),
            *body,
            "</svg>",
            "",
        ]
    )


def channels_svg(events: Sequence[Event]) -> str:
    """Figure 1: each event a dot on its channel's row, by date; hollow where the series says it."""
    first = min(c.year for c in events)
    last = max(c.year for c in events)
    start, end = first - first % 5, last + 1  # from a five-year tick to the end of the last year
    left, right, top, row = 176.0, WIDTH - 20.0, 58.0, 34.0
    bottom = top + row * len(CHANNELS)
    height = int(bottom + 96)

    def x(year: float) -> float:
        return left + (year - start) / (end - start) * (right - left)

    body = []
    # The longest stretch without a recorded event: what the record does not show.
    years = sorted({c.year for c in events})
    gap_from, gap_to = max(
        itertools.pairwise(years), key=lambda pair: (pair[1] - pair[0], -pair[0])
    )
    if gap_to - gap_from > 2:
        body.append(
            f'<rect x="{_n(x(gap_from + 1))}" y="{_n(top)}" '
            f'width="{_n(x(gap_to) - x(gap_from + 1))}" height="{_n(bottom - top)}" '
            'fill="#F1F1F1"/>'
        )
        label = f"No event recorded, {gap_from + 1}–{gap_to - 1}"
        body.append(
            _text(
                (x(gap_from + 1) + x(gap_to)) / 2,
                top - 6,
                label,
                font_size="11",
                fill=MUTED,
                text_anchor="middle",
            )
        )
    for i, channel in enumerate(CHANNELS):
        y = top + row * (i + 0.5)
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            f'stroke="{RULE}" stroke-width="1"/>'
        )
        body.append(_text(left - 10, y + 4.5, channel, font_size="13", text_anchor="end"))
    for year in range(start, end, 5):
        body.append(
            f'<line x1="{_n(x(year))}" y1="{_n(top)}" x2="{_n(x(year))}" y2="{_n(bottom + 5)}" '
            f'stroke="{RULE}" stroke-width="1"/>'
        )
        body.append(_text(x(year), bottom + 21, str(year), font_size="13", text_anchor="middle"))
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" y2="{_n(bottom)}" '
        f'stroke="{INK}" stroke-width="1.2"/>'
    )
    for event in events:
        cx = x(event.position)
        cy = top + row * (CHANNELS.index(event.channel) + 0.5)
        if event.source.startswith(MINISTRY_PREFIX):
            body.append(
                f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="6" fill="{BLUE}" '
                'stroke="#FFFFFF" stroke-width="1.5"/>'
            )
        else:
            body.append(
                f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="5.5" fill="#FFFFFF" '
                f'stroke="{VERMILION}" stroke-width="2.5"/>'
            )
    axis_y = _axis_titles(body, left, right, top, bottom, "Year of the event")
    legend_y = axis_y + 28
    body.append(f'<circle cx="{_n(left + 6)}" cy="{_n(legend_y - 4.5)}" r="6" fill="{BLUE}"/>')
    body.append(_text(left + 18, legend_y, "Belarusian foreign ministry's page", font_size="12"))
    second = left + 262
    body.append(
        f'<circle cx="{_n(second)}" cy="{_n(legend_y - 4.5)}" r="5.5" fill="#FFFFFF" '
        f'stroke="{VERMILION}" stroke-width="2.5"/>'
    )
    body.append(_text(second + 12, legend_y, "Persian Files 29/2", font_size="12"))
    title = f"Recorded Belarus–Iran events by channel, {first}–{last}"
    description = (
        f"{len(events)} events on five rows by channel; none is recorded between "
        f"{gap_from} and {gap_to}."
    )
    return _document(height, title, description, body)


def venues_svg(events: Sequence[Event]) -> str:
    """Figure 2: per channel, a bar of its events split by where they took place."""
    counts = {c: {v: 0 for v in VENUES} for c in CHANNELS}
    for event in events:
        counts[event.channel][event.venue] += 1
    most = max(sum(by_venue.values()) for by_venue in counts.values())
    left, right, top, row, bar = 176.0, WIDTH - 30.0, 52.0, 34.0, 22.0
    bottom = top + row * len(CHANNELS)
    height = int(bottom + 96)
    scale = (right - left) / most

    body = []
    for tick in range(0, most + 1):
        tx = left + tick * scale
        body.append(
            f'<line x1="{_n(tx)}" y1="{_n(top)}" x2="{_n(tx)}" y2="{_n(bottom + 5)}" '
            f'stroke="{RULE}" stroke-width="1"/>'
        )
        body.append(_text(tx, bottom + 21, str(tick), font_size="13", text_anchor="middle"))
    for i, channel in enumerate(CHANNELS):
        y = top + row * i + (row - bar) / 2
        body.append(_text(left - 10, y + bar / 2 + 4.5, channel, font_size="13", text_anchor="end"))
        offset = left
        for venue in VENUES:
            count = counts[channel][venue]
            if not count:
                continue
            width = count * scale
            body.append(
                f'<rect x="{_n(offset)}" y="{_n(y)}" width="{_n(width)}" height="{_n(bar)}" '
                f'fill="{VENUE_COLOURS[venue]}" stroke="#FFFFFF" stroke-width="1"/>'
            )
            ink = INK if venue == "Not stated" else "#FFFFFF"
            body.append(
                _text(
                    offset + width / 2,
                    y + bar / 2 + 4.5,
                    str(count),
                    font_size="12",
                    font_weight="700",
                    fill=ink,
                    text_anchor="middle",
                )
            )
            offset += width
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" y2="{_n(bottom)}" '
        f'stroke="{INK}" stroke-width="1.2"/>'
    )
    axis_y = _axis_titles(body, left, right, top, bottom, "Number of recorded events")
    legend_y, lx = axis_y + 28, left
    for venue in VENUES:
        body.append(
            f'<rect x="{_n(lx)}" y="{_n(legend_y - 10)}" width="11" height="11" '
            f'fill="{VENUE_COLOURS[venue]}"/>'
        )
        label = VENUE_LABELS[venue]
        body.append(_text(lx + 16, legend_y, label, font_size="12"))
        lx += 16 + 6.4 * len(label) + 22  # about the label's width at 12 units
    totals = {v: sum(counts[c][v] for c in CHANNELS) for v in VENUES}
    title = "Where the recorded events took place, by channel"
    description = ", ".join(f"{VENUE_LABELS[v]}: {totals[v]}" for v in VENUES) + "."
    return _document(height, title, description, body)


def make_figures(data: Path = DATA, out: Path = OUT) -> list[Path]:
    """Write both figures into ``out`` from the events in ``data``; return their paths."""
    events = read_events(data)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in ((CHANNELS_FILE, channels_svg(events)), (VENUES_FILE, venues_svg(events))):
        path = out / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the events CSV")
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to write the SVGs to")
    args = parser.parse_args(argv)
    try:
        for path in make_figures(args.data, args.out):
            print(path)
    except (OSError, DataError, KeyError) as exc:
        print(f"make_figures: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
