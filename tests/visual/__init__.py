"""The visual regression baselines: a grey PNG per page of each sample (``<sample>/page-N.png``),
the code that makes and compares them (:mod:`.pages`) and the command that refreshes them
(``python -m tests.visual.refresh``)."""
