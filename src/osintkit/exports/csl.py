def csl_json(l): return None
