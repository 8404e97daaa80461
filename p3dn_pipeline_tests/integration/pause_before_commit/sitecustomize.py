"""Fault injection for the crash tests: holds one asset's build inside its transaction.

Python imports ``sitecustomize`` at start-up from the first folder of ``sys.path`` that has
one; the crash test puts this folder on the ``PYTHONPATH`` of the one ``p3dn run`` it kills
in a mart build. With ``P3DN_TEST_PAUSE_ASSET`` naming an asset, that asset's build, once its
table is written and its build recorded but before its transaction commits, writes the file
``P3DN_TEST_PAUSE_MARKER`` and waits to be killed. The kill then lands at that moment on any
machine, however quickly the build runs there (a fixed delay after the step's start, polled
from the event log, did not: on a busy machine the step had already committed).

The pipeline's code is otherwise untouched: the real run, the real warehouse, the real kill.
"""

import os

_ASSET = os.environ.get("P3DN_TEST_PAUSE_ASSET")
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
