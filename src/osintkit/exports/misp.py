def misp_event(l): return None
