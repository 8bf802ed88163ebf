"""osintkit's benchmark suite: ``.venv/bin/python bench/run.py [--quick]`` (see bench/RESULTS.md).

Not part of the installed package. ``inputs`` makes the briefs it measures (from ``seeds/``),
``export`` turns a brief into Markdown for pandoc, ``measure`` times commands and their
memory, ``warm`` is the in-process re-render loop and ``run`` the one command that does it all.
"""
