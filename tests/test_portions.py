"""Portion markings: the model's ``tlp`` fields, ``::: {tlp=…}`` blocks, figures' ``tlp`` and
what validation refuses (rule ``tlp``), located in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from osintkit.markdown import find_marked_blocks, render_markdown
from osintkit.portions import marked_fields, marking
from osintkit.validation import load_brief
from support import at, problems

FIXTURES = Path(__file__).resolve().parent / "fixtures"

HEAD = """\
series: persian-files
volume: 29
issue: 3
title: "A marked brief"
date: 2025-02-10
authors: ["Unit"]
"""
BODY = """\
background: |
  Plain background.
geopolitical_context: |
  Plain context.
challenges:
  items:
    - label: "One"
      text: Only one.
"""


def brief_text(*, head: str = "", summary: str = "Summary.", tail: str = "") -> str:
    indented = "\n".join(f"  {line}" if line else "" for line in summary.splitlines())
    return f"{HEAD}{head}executive_summary: |\n{indented}\n{BODY}{tail}"


SOURCES = """\
sources:
  - id: secret
    title: The secret source
    tlp: AMBER
  - id: open
    title: The open source
"""


def test_the_samples_and_the_fixture_validate() -> None:
    loaded = load_brief(FIXTURES / "editions" / "editions.yaml")
    mark = marking(loaded.brief, loaded.series)
    assert (mark.full, mark.default, mark.editions) == ("AMBER", "CLEAR", ("CLEAR", "AMBER"))


def test_a_container_prints_what_it_holds_and_never_its_fences() -> None:
    html = render_markdown("Open.\n\n::: {tlp=AMBER}\nHeld *back*.\n:::\n\nOpen again.")
    assert html == "<p>Open.</p>\n<p>Held <em>back</em>.</p>\n<p>Open again.</p>\n"
    assert ":::" not in html and "tlp" not in html


def test_a_container_block_covers_its_fences() -> None:
    text = "a\n\n::: {tlp=AMBER}\nb\n\nc\n:::\n\nd"
    [block] = find_marked_blocks(text)
    assert (block.kind, block.level, block.lines) == ("container", "AMBER", (2, 7))


def test_unmarked_fixed_sections_take_the_briefs_tlp(make_brief: object) -> None:
    path = make_brief(brief_text(head="tlp: AMBER\n"))  # type: ignore[operator]
    loaded = load_brief(path)
    fields = {
        m.key_path: m.level
        for m in marked_fields(loaded.brief, marking(loaded.brief, loaded.series))
    }
    assert fields[("executive_summary",)] == "AMBER"
    assert fields[("challenges", "items", 0, "text")] == "AMBER"


def test_a_portion_marked_above_the_briefs_tlp_is_located(make_brief: object) -> None:
    text = brief_text(
        head="tlp: GREEN\n",
        summary="Open.\n\n::: {tlp=AMBER}\nHeld back.\n:::",
        tail="key_judgements:\n  - text: A judgement.\n    likelihood: likely\n"
        "    confidence: high\n    tlp: RED\n",
    )
    path = make_brief(text)  # type: ignore[operator]
    found = problems(path)
    assert (
        f"{path}:{at(text, '::: {tlp=AMBER}')}: executive_summary: the block's marking "
        "TLP:AMBER is above the brief's TLP:GREEN: no edition could hold it" in found
    )
    assert any(p.startswith(f"{path}:{at(text, 'RED')}: key_judgements[0].tlp:") for p in found)


def test_an_edition_or_default_above_the_briefs_tlp_is_located(make_brief: object) -> None:
    text = brief_text(head="tlp: GREEN\nportion_default: AMBER\neditions: [CLEAR, RED]\n")
    path = make_brief(text)  # type: ignore[operator]
    found = problems(path)
    assert any(
        p.startswith(f"{path}:{at(text, 'AMBER')}: portion_default: the portion default TLP:AMBER")
        for p in found
    )
    assert any(
        p.startswith(f"{path}:{at(text, 'RED')}: editions[1]: the edition TLP:RED") for p in found
    )


def test_an_unknown_level_in_a_block_is_located(make_brief: object) -> None:
    text = brief_text(summary="::: {tlp=AMBR}\nHeld back.\n:::")
    path = make_brief(text)  # type: ignore[operator]
    [found] = problems(path)
    assert found.startswith(
        f"{path}:{at(text, '::: {tlp=AMBR}')}: executive_summary: 'AMBR' is not a TLP level"
    )
    assert "did you mean 'AMBER'" in found


def test_open_text_citing_a_restricted_source_is_located(make_brief: object) -> None:
    text = brief_text(
        head="tlp: AMBER\nportion_default: CLEAR\n",
        summary="Open text. [@open]\n\nOpen text citing [@secret].\n\n"
        "::: {tlp=AMBER}\nFine. [@secret]\n:::",
        tail=SOURCES,
    )
    path = make_brief(text)  # type: ignore[operator]
    [found] = problems(path)
    assert found == (
        f"{path}:{at(text, '[@secret]')}: executive_summary: a TLP:CLEAR portion cites the source "
        "'secret', released only at TLP:AMBER: mark the citing text TLP:AMBER too, or rephrase"
    )


def test_open_text_referring_to_a_restricted_figure_or_annex_is_located(make_brief: object) -> None:
    figure = '![A pier](figures/pier.svg){#fig-pier alt="a pier" tlp=AMBER}'
    text = brief_text(
        head="tlp: AMBER\nportion_default: CLEAR\n",
        summary=f"{figure}\n\nSee [@fig-pier] and [@sec-annex].",
        tail="appendices:\n  - id: sec-annex\n    title: Annex\n    tlp: AMBER\n    body: Held.\n",
    )
    path = make_brief(text)  # type: ignore[operator]
    (path.parent / "figures").mkdir()
    (path.parent / "figures" / "pier.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8"
    )
    found = problems(path)
    assert [p.split(": ", 1)[0] for p in found] == [
        f"{path}:{at(text, '[@fig-pier]')}",
        f"{path}:{at(text, '[@sec-annex]')}",
    ]
    assert "refers to 'fig-pier', released only at TLP:AMBER" in found[0]


def test_an_open_event_naming_a_restricted_source_is_located(make_brief: object) -> None:
    text = brief_text(
        head="tlp: AMBER\nportion_default: CLEAR\n",
        tail=SOURCES + "timeline:\n  - date: 2024\n    event: Something.\n    source: secret\n",
    )
    path = make_brief(text)  # type: ignore[operator]
    [found] = problems(path)
    assert found.startswith(
        f"{path}:{at(text, 'secret', text.index('timeline'))}: timeline[0].source: "
        "a TLP:CLEAR event"
    )


@pytest.mark.parametrize("level", ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"])
def test_every_level_can_mark_a_portion_of_a_red_brief(make_brief: object, level: str) -> None:
    text = brief_text(head="tlp: RED\n", summary=f"::: {{tlp={level}}}\nHeld.\n:::")
    load_brief(make_brief(text))  # type: ignore[operator]


def test_a_block_in_an_inline_field_prints_no_fences() -> None:
    html = render_markdown("Open.\n\n::: {tlp=AMBER}\nHeld.\n:::", inline=True)
    assert ":::" not in html and "Held." in html


def test_a_marked_block_opens_with_its_mark_only_when_asked() -> None:
    text = "Open.\n\n::: {tlp=GREEN}\n- held\n- back\n:::"
    assert "portion-mark" not in render_markdown(text)
    marked = render_markdown(text, marks=True)
    assert '<li><span class="portion-mark tlp-green">(TLP:GREEN)</span> held</li>' in marked
    assert marked.count("portion-mark") == 1


def test_a_block_marked_lower_than_the_block_around_it_is_located(make_brief: object) -> None:
    text = brief_text(
        head="tlp: AMBER\n",
        summary=":::: {tlp=AMBER}\nHeld.\n\n::: {tlp=CLEAR}\nInner.\n:::\n::::\n\n"
        "::: {tlp=CLEAR}\nPublic inside the AMBER default: its own marking.\n:::",
    )
    path = make_brief(text)  # type: ignore[operator]
    [found] = problems(path)
    assert found == (
        f"{path}:{at(text, '::: {tlp=CLEAR}')}: executive_summary: a block marked TLP:CLEAR "
        "inside TLP:AMBER text is released only with it: mark it TLP:AMBER, or move it out"
    )


@pytest.mark.parametrize("field", ["bluf", "disclaimer"])
def test_the_bluf_and_disclaimer_are_held_to_the_lowest_edition(
    make_brief: object, field: str
) -> None:
    """They print in every edition, so even in a brief whose unmarked text is AMBER they may
    not cite what only AMBER readers may see."""
    text = brief_text(
        head=f"tlp: AMBER\neditions: [CLEAR, AMBER]\n{field}: Bottom line. [@secret]\n",
        summary="Unmarked, so AMBER: may cite [@secret].",
        tail=SOURCES,
    )
    path = make_brief(text)  # type: ignore[operator]
    [found] = problems(path)
    assert found.startswith(
        f"{path}:{at(text, '[@secret]')}: {field}: a TLP:CLEAR portion cites the source 'secret'"
    )


@pytest.mark.parametrize(
    "fence",
    [
        "::: {.note tlp=AMBER}",
        "::: {tlp=AMBER} client only",
        "::: tlp=AMBER",
        "::: {tlp: AMBER}",
        "| ::: {tlp=AMBER} held | x |",
        "- item\n\n  ::: {tlp=AMBER}\n  held\n:::",
    ],
)
def test_a_marking_the_parser_does_not_take_is_located(make_brief: object, fence: str) -> None:
    # Such a fence prints as running text, so what it was meant to hold back would be
    # published at the level around it.
    summary = f"Open.\n\n{fence}\nHeld back.\n:::"
    after = "Open."
    if fence.startswith("-"):
        # The block ends with the item, before its ':::'.
        summary = f"Open.\n\n{fence}\nHeld back."
        fence, after = ":::", "held"
    if fence.startswith("|"):
        summary = f"Open.\n\n| a | b |\n|---|---|\n{fence}"
    text = brief_text(head="tlp: AMBER\nportion_default: CLEAR\n", summary=summary)
    path = make_brief(text)  # type: ignore[operator]
    found = problems(path)
    assert any(
        p.startswith(
            f"{path}:{at(text, fence.lstrip('| '), text.index(after))}: executive_summary:"
        )
        and "not the fence of a marked block" in p
        for p in found
    ), found


def test_a_marking_shown_as_code_is_not_a_problem(make_brief: object) -> None:
    summary = "Write `::: {.note tlp=AMBER}` alone on its line.\n\n```\n::: tlp=AMBER\n```"
    load_brief(make_brief(brief_text(summary=summary)))  # type: ignore[operator]


def test_a_fence_inside_code_inside_a_block_is_located(make_brief: object) -> None:
    # The block rule ends a marked block at the first ':::' line, code or not: what follows
    # would be published at the level around it.
    summary = "::: {tlp=AMBER}\n```\nheld\n:::\n```\nHeld back too.\n:::"
    text = brief_text(head="tlp: AMBER\nportion_default: CLEAR\n", summary=summary)
    path = make_brief(text)  # type: ignore[operator]
    [found] = problems(path)
    assert found.startswith(f"{path}:{at(text, ':::', text.index('held'))}: executive_summary:")
    assert "inside a code block" in found


def test_code_closed_inside_a_block_is_fine(make_brief: object) -> None:
    summary = "::: {tlp=AMBER}\n```\ncode\n```\n:::\n\n::: {tlp=AMBER}\n~~~~\ncode\n~~~~~\n:::"
    text = brief_text(head="tlp: AMBER\n", summary=summary)
    load_brief(make_brief(text))  # type: ignore[operator]
