"""gunicorn for a branch server: 2 cores, SQLite, nginx in front (docs/DEPLOY.md).

Measured with bench/exam_load.py (docs/PERFORMANCE.md, "Exam delivery under load"): 300 examinees
meet issue 5's targets with this file and with 5 sync workers alike. Two threaded workers per
core: processes because Python runs one thread of a process at a time and a request's work
(templates, ORM) is mostly Python; threads so that a worker keeps serving while one of its
requests waits for SQLite's write lock or the network; and gthread keeps nginx's connections alive.

Usage: .venv/bin/gunicorn -c bench/gunicorn.conf.py --pythonpath site config.wsgi --bind 127.0.0.1:8000
Any value can be overridden on the command line (``--workers 5 --worker-class sync``) or in
GUNICORN_CMD_ARGS.
"""

import multiprocessing

_cores = multiprocessing.cpu_count()

worker_class = "gthread"
workers = 2 * _cores
threads = 4
# A request that takes this long is stuck (an export or a PDF runs in the task worker instead).
timeout = 60
graceful_timeout = 30
# nginx keeps connections to gunicorn open between requests.
keepalive = 5
# The listen queue absorbs a burst (an exam's start) while every worker is busy.
backlog = 2048
