"""The settings of ``make run`` (``config.settings.dev``) for the worker the job tests start, plus a
slow export the tests can size (``tests.jobs.support.counting_export``) and lease timings short
enough to see a dead worker settled within a test: no heartbeat for 5 s means dead, a queued job
whose task may be lost is sent again after 10 s."""

import os

from config.settings.dev import *  # noqa: F403
from config.settings.dev import PORTAL_EXPORTS

PORTAL_EXPORTS = {**PORTAL_EXPORTS, "tests.counting": "tests.jobs.support.counting_export"}
JOBS_STALE_SECONDS = int(os.environ.get("JOBS_STALE_SECONDS", "5"))
JOBS_REQUEUE_SECONDS = int(os.environ.get("JOBS_REQUEUE_SECONDS", "10"))
