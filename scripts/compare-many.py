#!/usr/bin/env python3
# pattern: Imperative Shell
"""Judge many (kernel, engine) result pairs with shared/oracle/compare in one process.

Reads JSON lines {"kernel": PATH, "engine": PATH, "max": N} on stdin and answers each
with one JSON line {"walk": [DIFF...], "full": [DIFF...]}: the differences that
shared/oracle/compare's own compare() reports at each level (COMPARE.md). The
difftest runner uses it so a thousand cases do not start two thousand Pythons.
"""
import importlib.machinery
import importlib.util
import json
import os
import sys

shared = os.environ.get("PACKETWALK_SHARED") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared")
path = os.path.join(shared, "oracle", "compare")
loader = importlib.machinery.SourceFileLoader("oracle_compare", path)
spec = importlib.util.spec_from_loader("oracle_compare", loader)
compare = importlib.util.module_from_spec(spec)
loader.exec_module(compare)

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    req = json.loads(line)
    try:
        with open(req["kernel"]) as f:
            kernel = json.load(f)
        with open(req["engine"]) as f:
            engine = json.load(f)
        limit = int(req.get("max", 10))
        out = {"walk": compare.compare(kernel, engine, "walk", limit), "full": compare.compare(kernel, engine, "full", limit)}
    except Exception as e:  # a broken file is an answer too, not the end of the run
        out = {"error": "%s: %s" % (type(e).__name__, e)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
