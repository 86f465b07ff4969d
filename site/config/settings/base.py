"""Settings shared by every environment. Environment-specific modules import * from here."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import database_from_url, env_int, env_list, env_str, redis_from_url

SITE_DIR = Path(__file__).resolve().parent.parent.parent  # site/
BASE_DIR = SITE_DIR.parent  # the repository root
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # Our apps first so their templates override Wagtail's and Django's.
    "people",
    "portal",
    "courses",
    "exams",
    "certification",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_q",
    "ninja",
    "treebeard",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First after security: lockout, audit entries and network rules all read the address it resolves.
    "portal.client_address.ClientAddressMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (see "Browser policies" below).
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: a signed-in user's pages are never kept by the browser or a proxy.
    "portal.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it sees the outcome of authentication (django-axes documents this position).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite serves one branch from one process. IMMEDIATE transactions plus WAL were measured to
# survive hundreds of concurrent read-then-write transactions; the default DEFERRED mode fails
# many of them with "database is locked". DATABASE_URL switches to PostgreSQL for city/province.
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(DATA_DIR / "db.sqlite3")),
            # Each server thread keeps its connection between requests (opening one and running the
            # PRAGMAs below cost every request ~0.3 ms); 0 opens one per request.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend must come first: it refuses locked-out credentials before checking them.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"
WAGTAIL_FRONTEND_LOGIN_URL = "/login/"

# Lockout: 5 failures for the same police number from the same address lock that pair for
# AXES_COOLOFF_MINUTES. Keying on the pair (not the account alone) means an attacker at another
# address cannot keep a colleague locked out; the cool-off means no lock is indefinite.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/lockout.html"
# The client address is the one the platform's own proxies appended to X-Forwarded-For, counted
# from the right (portal/client_address.py): TRUSTED_PROXY_COUNT=1 behind nginx, 0 (REMOTE_ADDR only,
# the header ignored) when browsers reach the app server directly. AXES_PROXY_COUNT is the old name.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", env_int("AXES_PROXY_COUNT", 0, minimum=0), minimum=0)
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_address"
AXES_VERBOSE = False

# --- Browser policies -----------------------------------------------------------------------
# Everything the pages load comes from this host (the intranet has no internet). No inline script:
# page data travels in json_script blocks and behaviour in static files; a template that truly needs
# an inline script gives it {{ request.csp_nonce }}. Styles allow inline attributes (server-drawn
# charts, progress widths, the Wagtail admin); nothing else about them is dynamic.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
# Devices no page of the platform uses are off; full screen stays for this host (exam pages).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "法制学习考试认证平台"
WAGTAILADMIN_BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# Substring search, exact for Chinese, for the admin and Page.objects.search (docs/SEARCH.md).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "courses.search_backend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "doc", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "xls", "zip", "mp4"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 200 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no internet: never phone home
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = True

# --- Background tasks (django-q2) -----------------------------------------------------------
# ORM broker by default: one process, no extra service. REDIS_URL switches to Redis.
# retry (seconds before a task not acknowledged is handed out again) must exceed timeout, or a
# slow task runs twice. save_limit=0 keeps every successful result so nothing is pruned silently;
# django-q2's own cleanup is not used, results are pruned by an explicit schedule.
Q_CLUSTER = {
    "name": "fazhi",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": env_int("Q_TIMEOUT", 600, minimum=10),
    "retry": env_int("Q_TIMEOUT", 600, minimum=10) + 120,
    "max_attempts": 3,
    "save_limit": 0,
    "queue_limit": 50,
    "catch_up": False,
    "label": "后台任务",
}
_redis_url = env_str("REDIS_URL", "")
if _redis_url:
    Q_CLUSTER["redis"] = redis_from_url(_redis_url)
else:
    Q_CLUSTER["orm"] = "default"

# --- Cache ----------------------------------------------------------------------------------
# With REDIS_URL every app server shares one cache (kept dashboard figures, Wagtail's caches), so two
# reloads landing on different servers show the same figures; without it (the branch server, one
# process) Django's in-process cache. What goes in is keyed by language and filters and holds
# numbers and lazy labels only (certification.selectors.dashboards.cached_figures).
if _redis_url:
    redis_from_url(_redis_url)  # fail loud on a malformed URL, as for the broker
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "fazhi",
            "TIMEOUT": 300,
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "fazhi-pages",
            "TIMEOUT": 24 * 3600,
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fazhi"},
        # Shared by every process of a branch server (the worker writes, the web processes read):
        # parts of pages rendered ahead, e.g. exam papers drawn ahead (exams.services.papers_ahead).
        # The table is created by migration portal/0008_page_cache_table.
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_page_cache",
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Platform -------------------------------------------------------------------------------
# Registries the site layer reads so that later apps plug in without the site importing them.
PORTAL_NAV_PROVIDERS = [
    "portal.selectors.navigation.nav_items",
    "people.navigation.nav_items",
    "courses.navigation.nav_items",
    "exams.navigation.nav_items",
    "certification.navigation.nav_items",
]
PORTAL_DASHBOARD_SECTIONS = [
    "portal.selectors.navigation.dashboard_section",
    "people.navigation.dashboard_section",
    "courses.navigation.study_dashboard_section",
    "courses.navigation.discussion_dashboard_section",
    "exams.dashboard.exams_dashboard_section",
    "exams.dashboard.grading_dashboard_section",
    "exams.dashboard.reopen_dashboard_section",
    "certification.dashboard.pathway_dashboard_section",
    "certification.dashboard.signoff_dashboard_section",
]
# Modules that register the sentences their app stores as keys (portal.texts).
STORED_TEXT_MODULES = ["portal.backup_texts", "people.texts", "certification.texts", "exams.texts", "courses.texts"]
DEMO_BUILDERS = [
    "portal.demo.units.build",
    "portal.demo.accounts.build",
    "portal.demo.people.build",
    "certification.demo.pathway.build",
    "portal.demo.notifications.build",
    "courses.demo.build",
    "exams.demo.build",
    "certification.demo.leaders.build",
    "certification.demo.qualifications.build",
    "certification.demo.pool.build",
    "certification.demo.evaluations.build",
    "certification.demo.points.build",
]
# Backups (``manage.py backup`` / ``restore``, the nightly ``portal.backup`` schedule): where they go,
# how many to keep, the local hour the schedule runs, and the tables whose row counts the manifest
# records and a restore must find again (model labels; the site layer does not import these apps).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_KEEP = env_int("BACKUP_KEEP", 14, minimum=1)
BACKUP_HOUR = env_int("BACKUP_HOUR", 2, minimum=0)
if BACKUP_HOUR > 23:
    raise ImproperlyConfigured(f"BACKUP_HOUR must be an hour of the day, 0 to 23; got {BACKUP_HOUR}.")
BACKUP_COUNTED_MODELS = [
    "people.User",
    "exams.Attempt",
    "exams.Answer",
    "certification.Qualification",
    "portal.AuditEntry",
]
# Lists of portal.tasks.ScheduleSpec written to django-q2 by `manage.py setup_schedules`.
SCHEDULE_PROVIDERS = [
    "portal.tasks.SCHEDULES",
    "courses.tasks.SCHEDULES",
    "exams.tasks.SCHEDULES",
    "certification.tasks.SCHEDULES",
]
# Who may sit an exam of a tier (基本级 / 中级 / 高级); certification provides the qualification ladder.
EXAMS_TIER_ELIGIBILITY = "certification.eligibility.tier_ladder_eligibility"
# Further rules on who may start an exam (``exams.selectors.eligibility``): ``check(exam, officer)``.
EXAMS_ELIGIBILITY_CHECKS = ["certification.eligibility.lead_test_retake_wait"]
# How often the exam page asks for its time left, room messages and device (seconds), and after how
# long without a save or a poll the invigilation board shows "no contact".
EXAMS_STATUS_POLL_SECONDS = env_int("EXAMS_STATUS_POLL_SECONDS", 10, minimum=1)
EXAMS_NO_CONTACT_SECONDS = env_int("EXAMS_NO_CONTACT_SECONDS", 60, minimum=10)
# How long the invigilation board keeps an exam's examinee list (attempts are read on every poll).
EXAMS_BOARD_EXAMINEES_CACHE_SECONDS = env_int("EXAMS_BOARD_EXAMINEES_CACHE_SECONDS", 15, minimum=0)
# Papers drawn ahead of a start burst (exams.services.papers_ahead): from this many minutes before
# an exam opens, the worker keeps one paper per examinee who has not started, at most BATCH a minute.
EXAMS_DRAW_AHEAD_MINUTES = env_int("EXAMS_DRAW_AHEAD_MINUTES", 60, minimum=0)
EXAMS_DRAW_AHEAD_BATCH = env_int("EXAMS_DRAW_AHEAD_BATCH", 300, minimum=0)
# Long background jobs (exports, certificate batches) hold a lease (portal.services.jobs): a job
# whose worker stopped beating this long is run again, at most this many times, then failed; a job
# still queued this long is sent to the broker again (its task may have been lost).
JOBS_STALE_SECONDS = env_int("JOBS_STALE_SECONDS", 120, minimum=1)
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 3, minimum=1)
JOBS_REQUEUE_SECONDS = env_int("JOBS_REQUEUE_SECONDS", 600, minimum=1)
# Called when an exam attempt's result is final or changes (``exams.hooks``): ``hook(*, attempt)``.
EXAMS_RESULT_HOOKS: list[str] = [
    "certification.services.qualifications.qualification_from_attempt",
    "certification.services.pathway.pathway_on_attempt_result",
    "certification.services.leaders.leader_result_hook",
]
# Called when an officer record is created or changed (``people.hooks``):
# ``hook(*, officer, actor, created, changes)``.
PEOPLE_OFFICER_HOOKS: list[str] = ["certification.services.pathway.pathway_enrol_on_officer_change"]
PLATFORM_NAME = _("Legal training, exam and certification platform")
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
# Registered list exports (``portal.services.exports``): kind -> dotted path of an object with
# ``title``, ``count(user, filters)`` and ``build(user, filters, progress) -> ExportResult``.
PORTAL_EXPORTS: dict[str, str] = {
    "certification.qualifications": "certification.exports.qualifications_export",
    "certification.dashboard_officers": "certification.exports.dashboard_officers_export",
    "certification.dashboard_qualifications": "certification.exports.dashboard_qualifications_export",
    "certification.dashboard_overview": "certification.exports.dashboard_overview_export",
    "certification.pathways": "certification.list_exports.pathways_export",
    "certification.case_records": "certification.list_exports.case_records_export",
    "people.officers": "people.exports.officers_export",
}
# How long the HR dashboards keep their computed figures (seconds; 0 computes every render). The
# page says when its figures were computed and offers a refresh; drill-down lists are always live.
CERTIFICATION_DASHBOARD_CACHE_SECONDS = env_int("CERTIFICATION_DASHBOARD_CACHE_SECONDS", 120, minimum=0)
# Exports with more rows than this are built in the background with a progress page.
PORTAL_EXPORT_INLINE_ROWS = env_int("PORTAL_EXPORT_INLINE_ROWS", 5000, minimum=0)
# How long the download link of a background export stays valid.
PORTAL_EXPORT_LINK_HOURS = 24
