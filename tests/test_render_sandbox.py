"""The render child: what it inherits from the process that forked it."""

from __future__ import annotations

import os
import select
from pathlib import Path

from osintkit.render.html import RenderedHtml
from osintkit.render.pdf import RenderLimits, render_pdf, start_renderer


def test_a_pipe_the_parent_holds_is_not_kept_open_by_the_render_child(tmp_path: Path) -> None:
    # The write end of a pipe (say, a subprocess's stdin) open while the render child is
    # forked: once this process closes it, the reader must see end of file.
    read_end, write_end = os.pipe()
    try:
        # A memory budget no other test uses: a fresh child, forked while the pipe is open.
        limits = RenderLimits(memory_mib=2047)
        start_renderer(limits)
        page = RenderedHtml("<p>text</p>", tmp_path, (tmp_path,))
        assert render_pdf(page, limits).pages == 1  # the child is up and past its set-up
        os.close(write_end)
        write_end = -1
        # A guard against hanging the suite, not a timing: with the child holding the write
        # end, the read end never becomes readable.
        readable, _, _ = select.select([read_end], [], [], 30)
        assert readable, "the render child kept the pipe's write end open"
        assert os.read(read_end, 1) == b""
    finally:
        os.close(read_end)
        if write_end != -1:
            os.close(write_end)


def test_the_render_child_still_renders_after_letting_go_of_what_it_inherited(
    tmp_path: Path,
) -> None:
    (tmp_path / "image.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10"/></svg>',
        encoding="utf-8",
    )
    limits = RenderLimits(memory_mib=2046)
    html = '<html lang="en">' + '<img src="image.svg" alt="">' * 2
    page = RenderedHtml(html, tmp_path, (tmp_path,))
    for _ in range(3):
        result = render_pdf(page, limits)
        assert result.warnings == []
        assert result.files_read == [(tmp_path / "image.svg").resolve()]
