"""Fault injection for the crash tests: holds one asset's build, or one file's load, inside
its transaction.

Python imports ``sitecustomize`` at start-up from the first folder of ``sys.path`` that has
one; the crash test puts this folder on the ``PYTHONPATH`` of the one ``p3dn run`` it kills.

- With ``P3DN_TEST_PAUSE_ASSET`` naming an asset, that asset's build, once its table is
  written and its build recorded but before its transaction commits, writes the file
  ``P3DN_TEST_PAUSE_MARKER`` and waits to be killed.
- With ``P3DN_TEST_PAUSE_FILE`` naming a landing file (as in raw.file_ledger), its load, once
  its rows are inserted but before its transaction commits, waits until every file named in
  ``P3DN_TEST_PAUSE_AFTER_LOADED`` (comma-separated) is recorded as loaded by a committed
  transaction (a dataset's JSON files load two at a time, so the other one may still be
  loading), then writes the marker and waits to be killed.

The kill then lands at that moment on any machine, however quickly the build or load runs
there (a fixed delay after the step's start, polled from the event log, did not: on a busy
machine the step had already committed). The pipeline's code is otherwise untouched: the
real run, the real warehouse, the real kill.
"""

import os

_ASSET = os.environ.get("P3DN_TEST_PAUSE_ASSET")
_FILE = os.environ.get("P3DN_TEST_PAUSE_FILE")
_AFTER_LOADED = [p for p in os.environ.get("P3DN_TEST_PAUSE_AFTER_LOADED", "").split(",") if p]
_MARKER = os.environ.get("P3DN_TEST_PAUSE_MARKER")

if _ASSET and _MARKER:
    import time
    from pathlib import Path

    from p3dn_pipeline.lib import builds

    _begin_build = builds.begin_build

    def _begin_build_then_pause(con, key, *args, **kwargs):
        build_id = _begin_build(con, key, *args, **kwargs)
        if "__".join(key.path) == _ASSET:  # the step key, e.g. marts__p3dn_per_skpd
            Path(_MARKER).write_text(build_id)
            time.sleep(3600)  # until the test kills the process
        return build_id

    builds.begin_build = _begin_build_then_pause

if _FILE and _MARKER:
    import time
    from pathlib import Path

    from p3dn_pipeline.lib import readers

    _load_file = readers.load_file

    def _load_file_then_pause(con, recognition, **kwargs):
        rows = _load_file(con, recognition, **kwargs)
        if kwargs.get("relative_path") == _FILE:
            # Another connection sees only what other transactions committed.
            observer = con.cursor()
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                loaded = {path for (path,) in observer.execute(
                    "SELECT path FROM raw.file_ledger WHERE status = 'loaded'").fetchall()}
                if set(_AFTER_LOADED) <= loaded:
                    break
                time.sleep(0.05)
            observer.close()
            Path(_MARKER).write_text(str(rows))
            time.sleep(3600)  # until the test kills the process
        return rows

    readers.load_file = _load_file_then_pause
