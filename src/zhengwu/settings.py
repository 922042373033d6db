"""zhengwu settings: read from the environment only (see README, "配置").

The defaults give a working one-machine install (SQLite in WAL mode, SqliteHuey, secrets kept
in the data directory). Production values are documented in docs/deployment.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url

from zhengwu.core.env import Env, SettingError, secret_from_file

env = Env()

# Demo values of the portal furniture (shown with 「演示」 until the real ones are set).
DEMO_SITE_CODE = "2200000000"
DEMO_ICP = "吉ICP备00000000号"
DEMO_PSB_RECORD = "吉公网安备 22000000000000号"

try:
    DATA_DIR = Path(env.str("ZHENGWU_DATA_DIR", "./var")).resolve()
    DATA_DIR.mkdir(parents=True, exist_ok=True)

    DEBUG = env.bool("ZHENGWU_DEBUG", False)
    SECRET_KEY = env.raw("SECRET_KEY") or secret_from_file(DATA_DIR / "secret_key", nbytes=32)
    if len(SECRET_KEY) < 50 and env.raw("SECRET_KEY"):
        raise SettingError("SECRET_KEY", "…", "至少 50 个字符的随机字符串")
    # Master key for personal data at rest (SM4) and blind indexes (SM3-HMAC); see core.crypto.
    ZHENGWU_DATA_KEY = env.hex_key("ZHENGWU_DATA_KEY", nbytes=32) or bytes.fromhex(
        secret_from_file(DATA_DIR / "data_key", nbytes=32)
    )
    # Every data key since the first rotation, and which is current (`zhengwu keys rotate-data-key`;
    # core.crypto): the key above is then one key of the ring.
    ZHENGWU_DATA_KEYRING = Path(env.str("ZHENGWU_DATA_KEYRING", str(DATA_DIR / "data_keys"))).resolve()
    # The platform's SM2 signing key (64 hex), which signs the anchors of the audit and access logs
    # (audit.anchors); absent, it is generated once into <data dir>/platform_key like the data key.
    ZHENGWU_PLATFORM_KEY = env.hex_key("ZHENGWU_PLATFORM_KEY", nbytes=32)
    # The append-only witness the signed anchors are written to: outside the database, best on
    # another disk or mount (docs/deployment.md, "日志锚点").
    ZHENGWU_AUDIT_WITNESS = Path(env.str("ZHENGWU_AUDIT_WITNESS", str(DATA_DIR / "witness"))).resolve()
    ZHENGWU_AUDIT_ANCHOR_MINUTES = env.int("ZHENGWU_AUDIT_ANCHOR_MINUTES", 10, minimum=1, maximum=60)
    # Optionally a second zhengwu instance as remote witness (audit.remote_witness): its base URL
    # and the token of the API client it issued to this platform (scope audit:witness).
    ZHENGWU_AUDIT_WITNESS_URL = env.url("ZHENGWU_AUDIT_WITNESS_URL", ("http", "https"))
    ZHENGWU_AUDIT_WITNESS_TOKEN = env.raw("ZHENGWU_AUDIT_WITNESS_TOKEN")
    if ZHENGWU_AUDIT_WITNESS_URL and not ZHENGWU_AUDIT_WITNESS_TOKEN:
        raise SettingError(
            "ZHENGWU_AUDIT_WITNESS_TOKEN",
            "",
            "远程见证签发给本平台的 API 凭证（设置了 ZHENGWU_AUDIT_WITNESS_URL 时必填）",
        )
    ZHENGWU_ZONE = env.choice("ZHENGWU_ZONE", "all", ("all", "internal", "external"))
    ALLOWED_HOSTS = env.list("ZHENGWU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    CSRF_TRUSTED_ORIGINS = env.list("ZHENGWU_CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"])
    HTTPS = env.bool("ZHENGWU_HTTPS", False)
    DATABASE_URL = env.url("DATABASE_URL", ("sqlite", "postgres", "postgresql")) or (
        f"sqlite:///{DATA_DIR / 'zhengwu.sqlite3'}"
    )
    REDIS_URL = env.url("REDIS_URL", ("redis", "rediss"))
    IDLE_TIMEOUT_MINUTES = env.int("ZHENGWU_IDLE_TIMEOUT_MINUTES", 30, minimum=1, maximum=24 * 60)
    LOGIN_FAILURE_LIMIT = env.int("ZHENGWU_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
    LOGIN_CAPTCHA_AFTER = env.int("ZHENGWU_LOGIN_CAPTCHA_AFTER", 3, minimum=0, maximum=100)
    LOCKOUT_MINUTES = env.int("ZHENGWU_LOCKOUT_MINUTES", 30, minimum=1, maximum=24 * 60)
    PASSWORD_MAX_AGE_DAYS = env.int("ZHENGWU_PASSWORD_MAX_AGE_DAYS", 90, minimum=0, maximum=3650)
    TIMER_YELLOW_FRACTION = env.float("ZHENGWU_TIMER_YELLOW_FRACTION", 0.2, minimum=0.0, maximum=1.0)
    # Periodic jobs (sealing, anchors, backups, the watch, reminders) are scheduled by the worker of
    # exactly one node per site; the others run queued jobs only (docs/deployment.md, "Scaling out").
    ZHENGWU_SCHEDULER = env.bool("ZHENGWU_SCHEDULER", True)
    ZHENGWU_REPLICA_URL = env.str("ZHENGWU_REPLICA_URL", "")
    ZHENGWU_REPLICA_SYNC_SECONDS = env.int("ZHENGWU_REPLICA_SYNC_SECONDS", 1, minimum=1, maximum=3600)
    ZHENGWU_WATCH_BACKUP_HOURS = env.int("ZHENGWU_WATCH_BACKUP_HOURS", 26, minimum=1, maximum=24 * 365)
    ZHENGWU_WATCH_ANCHOR_MINUTES = env.int("ZHENGWU_WATCH_ANCHOR_MINUTES", 30, minimum=1, maximum=24 * 60)
    ZHENGWU_WATCH_REMOTE_ANCHOR_MINUTES = env.int("ZHENGWU_WATCH_REMOTE_ANCHOR_MINUTES", 30, minimum=1, maximum=24 * 60)
    ZHENGWU_WATCH_REPLICA_SECONDS = env.int("ZHENGWU_WATCH_REPLICA_SECONDS", 60, minimum=1, maximum=86400)
    ZHENGWU_WATCH_QUEUE_BACKLOG = env.int("ZHENGWU_WATCH_QUEUE_BACKLOG", 1000, minimum=1, maximum=10**7)
    ZHENGWU_WATCH_STUCK_MINUTES = env.int("ZHENGWU_WATCH_STUCK_MINUTES", 120, minimum=1, maximum=7 * 24 * 60)
    ZHENGWU_WATCH_DISK_FREE_PERCENT = env.int("ZHENGWU_WATCH_DISK_FREE_PERCENT", 10, minimum=1, maximum=99)
    ZHENGWU_BACKUP_DIR = Path(env.str("ZHENGWU_BACKUP_DIR", str(DATA_DIR / "backups"))).resolve()
    ZHENGWU_BACKUP_KEEP = env.int("ZHENGWU_BACKUP_KEEP", 7, minimum=1, maximum=3650)
    ZHENGWU_BACKUP_HOUR = env.int("ZHENGWU_BACKUP_HOUR", 2, minimum=0, maximum=23)
    AUDIT_RETENTION_DAYS = env.int("ZHENGWU_AUDIT_RETENTION_DAYS", 180, minimum=180, maximum=36500)
    # PostgreSQL: monthly partitions of the audit and access logs are kept ready this many months
    # ahead (audit.partitions; docs/deployment.md, "日志分区").
    ZHENGWU_LOG_PARTITIONS_AHEAD = env.int("ZHENGWU_LOG_PARTITIONS_AHEAD", 3, minimum=1, maximum=24)
    WEB_WORKERS = env.int("ZHENGWU_WEB_WORKERS", 3, minimum=1, maximum=64)
    LOG_LEVEL = env.choice("ZHENGWU_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
    # Legal deadlines are defaults an administrator can change (docs/rules.md §3; local rules differ).
    ZHENGWU_SHARE_REQUEST_DAYS = env.int("ZHENGWU_SHARE_REQUEST_DAYS", 10, minimum=1, maximum=60)
    ZHENGWU_OBJECTION_DAYS = env.int("ZHENGWU_OBJECTION_DAYS", 5, minimum=1, maximum=60)
    # Letters (docs/rules.md §6, unverified local practice): handling, one extension, misrouted return.
    ZHENGWU_LETTER_HANDLING_DAYS = env.int("ZHENGWU_LETTER_HANDLING_DAYS", 5, minimum=1, maximum=60)
    ZHENGWU_LETTER_EXTENSION_DAYS = env.int("ZHENGWU_LETTER_EXTENSION_DAYS", 10, minimum=1, maximum=60)
    ZHENGWU_LETTER_RETURN_DAYS = env.int("ZHENGWU_LETTER_RETURN_DAYS", 2, minimum=1, maximum=30)
    # Online services (docs/rules.md §5): a bad rating's rectification; some provinces use 5.
    ZHENGWU_RECTIFICATION_DAYS = env.int("ZHENGWU_RECTIFICATION_DAYS", 15, minimum=1, maximum=60)
    # Disclosure (《政府信息公开条例》Arts. 26, 30, 32, 33).
    ZHENGWU_DISCLOSURE_PUBLICATION_DAYS = env.int("ZHENGWU_DISCLOSURE_PUBLICATION_DAYS", 20, minimum=1, maximum=60)
    ZHENGWU_DISCLOSURE_CORRECTION_DAYS = env.int("ZHENGWU_DISCLOSURE_CORRECTION_DAYS", 7, minimum=1, maximum=60)
    ZHENGWU_DISCLOSURE_ANSWER_DAYS = env.int("ZHENGWU_DISCLOSURE_ANSWER_DAYS", 20, minimum=1, maximum=60)
    ZHENGWU_DISCLOSURE_EXTENSION_DAYS = env.int("ZHENGWU_DISCLOSURE_EXTENSION_DAYS", 20, minimum=1, maximum=60)
    ZHENGWU_DISCLOSURE_THIRD_PARTY_DAYS = env.int("ZHENGWU_DISCLOSURE_THIRD_PARTY_DAYS", 15, minimum=1, maximum=60)
    # Official documents (docs/rules.md §7, unverified local practice): time to sign for (签收) a
    # received document: 特急 in minutes, 加急 and ordinary in working days; default 承办 time.
    ZHENGWU_DOCUMENT_SIGN_EXTRA_URGENT_MINUTES = env.int(
        "ZHENGWU_DOCUMENT_SIGN_EXTRA_URGENT_MINUTES", 120, minimum=10, maximum=1440
    )
    ZHENGWU_DOCUMENT_SIGN_URGENT_DAYS = env.int("ZHENGWU_DOCUMENT_SIGN_URGENT_DAYS", 1, minimum=1, maximum=10)
    ZHENGWU_DOCUMENT_SIGN_DAYS = env.int("ZHENGWU_DOCUMENT_SIGN_DAYS", 2, minimum=1, maximum=10)
    ZHENGWU_DOCUMENT_HANDLING_DAYS = env.int("ZHENGWU_DOCUMENT_HANDLING_DAYS", 10, minimum=1, maximum=60)
    # E-gov projects (docs/rules.md §12, unverified local practice): the e-gov office's technical
    # review, approval, confirmation of a filing and acceptance; the performance evaluation after
    # acceptance; the budget up to which a self-funded project may be filed (万元).
    ZHENGWU_PROJECT_REVIEW_DAYS = env.int("ZHENGWU_PROJECT_REVIEW_DAYS", 20, minimum=1, maximum=120)
    ZHENGWU_PROJECT_APPROVAL_DAYS = env.int("ZHENGWU_PROJECT_APPROVAL_DAYS", 10, minimum=1, maximum=120)
    ZHENGWU_PROJECT_FILING_DAYS = env.int("ZHENGWU_PROJECT_FILING_DAYS", 5, minimum=1, maximum=60)
    ZHENGWU_PROJECT_ACCEPTANCE_DAYS = env.int("ZHENGWU_PROJECT_ACCEPTANCE_DAYS", 30, minimum=1, maximum=120)
    ZHENGWU_PROJECT_EVALUATION_DAYS = env.int("ZHENGWU_PROJECT_EVALUATION_DAYS", 250, minimum=1, maximum=500)
    ZHENGWU_PROJECT_FILING_MAX_BUDGET = env.int("ZHENGWU_PROJECT_FILING_MAX_BUDGET", 50, minimum=0, maximum=10000)
    # An evaluation run computed inside the request (tests, the demo) instead of the Huey queue.
    ZHENGWU_EVALUATION_INLINE = env.bool("ZHENGWU_EVALUATION_INLINE", False)
    # Emergency dispatch (docs/rules.md §15, unverified local practice): a department signs for its
    # task within N minutes and arrives on site (or gives its first feedback) within M minutes of dispatch.
    ZHENGWU_EMERGENCY_TASK_SIGN_MINUTES = env.int("ZHENGWU_EMERGENCY_TASK_SIGN_MINUTES", 15, minimum=1, maximum=1440)
    ZHENGWU_EMERGENCY_TASK_ARRIVE_MINUTES = env.int(
        "ZHENGWU_EMERGENCY_TASK_ARRIVE_MINUTES", 60, minimum=1, maximum=2880
    )
    # Emergency information reporting (信息报送, docs/rules.md §14), every limit in minutes. 初报: a
    # 生产安全事故 within 60 (条例 Art. 9), a 公共卫生事件 within 120 (条例 Art. 19), other classes 60
    # (unverified local practice); 特别重大/重大 within 30 whatever the class (unverified; the national
    # cap is 4 hours to the State Council). 续报 at fixed Beijing times while the response lasts, and
    # the 终报 after 终止 (both unverified local practice).
    ZHENGWU_EMERGENCY_FIRST_REPORT_MINUTES = env.int(
        "ZHENGWU_EMERGENCY_FIRST_REPORT_MINUTES", 60, minimum=1, maximum=240
    )
    ZHENGWU_EMERGENCY_FIRST_REPORT_ACCIDENT_MINUTES = env.int(
        "ZHENGWU_EMERGENCY_FIRST_REPORT_ACCIDENT_MINUTES", 60, minimum=1, maximum=240
    )
    ZHENGWU_EMERGENCY_FIRST_REPORT_HEALTH_MINUTES = env.int(
        "ZHENGWU_EMERGENCY_FIRST_REPORT_HEALTH_MINUTES", 120, minimum=1, maximum=240
    )
    ZHENGWU_EMERGENCY_FIRST_REPORT_GRAVE_MINUTES = env.int(
        "ZHENGWU_EMERGENCY_FIRST_REPORT_GRAVE_MINUTES", 30, minimum=1, maximum=240
    )
    ZHENGWU_EMERGENCY_FOLLOW_UP_TIMES = env.list("ZHENGWU_EMERGENCY_FOLLOW_UP_TIMES", ["08:00", "16:00"])
    ZHENGWU_EMERGENCY_FINAL_REPORT_MINUTES = env.int(
        "ZHENGWU_EMERGENCY_FINAL_REPORT_MINUTES", 1440, minimum=1, maximum=30 * 1440
    )
    # Credit codes of the departments besides the 应急 departments whose leaders issue warnings (气象台 …).
    ZHENGWU_EMERGENCY_WARNING_ISSUERS = env.list("ZHENGWU_EMERGENCY_WARNING_ISSUERS", [])
    for _time in ZHENGWU_EMERGENCY_FOLLOW_UP_TIMES:
        _hour, _, _minute = _time.partition(":")
        if not (_hour.isdigit() and _minute.isdigit() and int(_hour) < 24 and int(_minute) < 60 and len(_minute) == 2):
            raise SettingError("ZHENGWU_EMERGENCY_FOLLOW_UP_TIMES", _time, "北京时间 HH:MM，逗号分隔")
    # E-supervision: answering a 督办 notice, concluding and answering a complaint; the exposure list.
    ZHENGWU_URGING_ANSWER_DAYS = env.int("ZHENGWU_URGING_ANSWER_DAYS", 3, minimum=1, maximum=60)
    ZHENGWU_COMPLAINT_DAYS = env.int("ZHENGWU_COMPLAINT_DAYS", 10, minimum=1, maximum=60)
    ZHENGWU_COMPLAINT_ANSWER_DAYS = env.int("ZHENGWU_COMPLAINT_ANSWER_DAYS", 5, minimum=1, maximum=60)
    ZHENGWU_EXPOSURE_SIZE = env.int("ZHENGWU_EXPOSURE_SIZE", 10, minimum=1, maximum=100)
    # Credit code of the department whose timer carries complaints; empty: the one complained about.
    ZHENGWU_SUPERVISION_OFFICE = env.str("ZHENGWU_SUPERVISION_OFFICE", "")
    ZHENGWU_WEBHOOK_MAX_ATTEMPTS = env.int("ZHENGWU_WEBHOOK_MAX_ATTEMPTS", 6, minimum=1, maximum=20)
    ZHENGWU_WEBHOOK_RETRY_SECONDS = env.int("ZHENGWU_WEBHOOK_RETRY_SECONDS", 60, minimum=1, maximum=3600)
    # Public pages for visitors without a session are cached this long (0 = off); any audited
    # write makes them new within a second (portal/cache.py).
    ZHENGWU_PAGE_CACHE_SECONDS = env.int("ZHENGWU_PAGE_CACHE_SECONDS", 30, minimum=0, maximum=3600)
    # PostgreSQL: the query API's hot statements (core.rawsql) are prepared on the server. Turn
    # off behind a connection pooler that cannot keep prepared statements (PgBouncer < 1.21 in
    # transaction mode).
    ZHENGWU_PG_PREPARED = env.bool("ZHENGWU_PG_PREPARED", True)
    # The query API's access-log rows staged by the threads of a process at the same moment are
    # committed together (core.group_commit); false: each call commits its own row.
    ZHENGWU_ACCESS_LOG_GROUP_COMMIT = env.bool("ZHENGWU_ACCESS_LOG_GROUP_COMMIT", True)
    # Loading a large CSV file: worker processes that check rows (0 = one per CPU; 1 = none) and
    # the smallest file (bytes) worth starting them for.
    ZHENGWU_LOAD_PROCESSES = env.int("ZHENGWU_LOAD_PROCESSES", 0, minimum=0, maximum=64)
    ZHENGWU_LOAD_PARALLEL_MIN_BYTES = env.int(
        "ZHENGWU_LOAD_PARALLEL_MIN_BYTES", 16 * 1024 * 1024, minimum=0, maximum=1 << 40
    )
    # The smallest plain CSV file (bytes) streamed by the columnar path (exchange.store.columnar:
    # Arrow checks each record batch; a forked ADBC writer on SQLite, COPY on PostgreSQL); 0 =
    # every such file (the default since issue 21: the path is the faster one at every size),
    # 1 TiB = never.
    ZHENGWU_LOAD_COLUMNAR_MIN_BYTES = env.int("ZHENGWU_LOAD_COLUMNAR_MIN_BYTES", 0, minimum=0, maximum=1 << 40)
    # Zombie systems (僵尸系统, docs/rules.md §19): no exchange call and no login for N months; a
    # provided resource not updated for N of its promised update cycles; fewer than N of its
    # platform users logged in during the idle window; a self-check answered within N working days.
    ZHENGWU_ZOMBIE_IDLE_MONTHS = env.int("ZHENGWU_ZOMBIE_IDLE_MONTHS", 6, minimum=1, maximum=60)
    ZHENGWU_ZOMBIE_STALE_CYCLES = env.int("ZHENGWU_ZOMBIE_STALE_CYCLES", 3, minimum=1, maximum=100)
    ZHENGWU_ZOMBIE_MIN_USERS = env.int("ZHENGWU_ZOMBIE_MIN_USERS", 3, minimum=1, maximum=100000)
    ZHENGWU_ZOMBIE_SELF_CHECK_DAYS = env.int("ZHENGWU_ZOMBIE_SELF_CHECK_DAYS", 15, minimum=1, maximum=60)
    # Portal furniture (docs/design.md "页面结构"): the identifiers every government site shows in its
    # footer. The defaults are demo values, marked as such on the page until they are set.
    ZHENGWU_SITE_CODE = env.pattern(
        "ZHENGWU_SITE_CODE", DEMO_SITE_CODE, r"(\d{6}|bm\d{4})\d{4}", "10 位网站标识码（如 2200000001 或 bm12000001）"
    )
    ZHENGWU_ICP = env.pattern(
        "ZHENGWU_ICP", DEMO_ICP, r"[\u4e00-\u9fff]ICP备\d{6,10}号(-\d{1,3})?", "ICP 备案号（如 吉ICP备12345678号-1）"
    )
    ZHENGWU_PSB_RECORD = env.pattern(
        "ZHENGWU_PSB_RECORD",
        DEMO_PSB_RECORD,
        r"[\u4e00-\u9fff]公网安备 ?\d{14}号",
        "公安备案号（如 吉公网安备 22010202000001号）",
    )
    ZHENGWU_SITE_HOST = env.str("ZHENGWU_SITE_HOST", "吉林省政务服务和数字化建设管理局")
    ZHENGWU_CONTACT_PHONE = env.pattern(
        "ZHENGWU_CONTACT_PHONE", "12345", r"[0-9-]{3,20}", "电话号码（数字和连字符，如 0431-12345678）"
    )
    ZHENGWU_CONTACT_EMAIL = env.pattern(
        "ZHENGWU_CONTACT_EMAIL", "zwfw@example.gov.cn", r"[^@\s]{1,64}@[^@\s]{1,190}\.[a-z]{2,}", "电子邮箱地址"
    )
    ZHENGWU_CONTACT_ADDRESS = env.str("ZHENGWU_CONTACT_ADDRESS", "吉林省长春市人民大街（演示地址）")
    SMS_BACKEND = env.choice("ZHENGWU_SMS_BACKEND", "console", ("console", "memory"))
except SettingError as error:
    print(f"zhengwu: 配置错误 — {error}", file=sys.stderr)
    raise SystemExit(2) from None

BASE_DIR = Path(__file__).resolve().parent

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
    "captcha",
    "zhengwu.core",
    "zhengwu.accounts",
    "zhengwu.audit",
    "zhengwu.supervision",
    "zhengwu.catalog",
    "zhengwu.exchange",
    "zhengwu.certificates",
    "zhengwu.eservices",
    "zhengwu.disclosure",
    "zhengwu.participation",
    "zhengwu.documents",
    "zhengwu.emergency",
    "zhengwu.governance",
    "zhengwu.portal",
    "zhengwu.workbench",
    "zhengwu.ops",
    "zhengwu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhengwu.accounts.middleware.IdleTimeoutMiddleware",
    "zhengwu.accounts.middleware.SecondFactorGateMiddleware",
    "zhengwu.core.middleware.ZoneMiddleware",
    "zhengwu.core.middleware.NulRefusalMiddleware",
    "zhengwu.core.middleware.ApplicationErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles, fonts and data from this site only; no
# inline script or style attribute anywhere (charts are drawn by core/static/zhengwu/charts.js from
# JSON the page carries); QR codes are inline SVG; nothing may frame the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The token-authenticated machine API (department systems) is served without the browser
# middleware above: no cookies, sessions, CSRF or login there (zhengwu/wsgi.py).
MACHINE_API_PREFIX = "/api/v1/exchange/"
MACHINE_API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhengwu.core.middleware.ZoneMiddleware",
    "zhengwu.core.middleware.ApplicationErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zhengwu.urls"
WSGI_APPLICATION = "zhengwu.wsgi.application"
ASGI_APPLICATION = "zhengwu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengwu.core.context_processors.site",
                "zhengwu.workbench.menu.workbench_menu",
            ],
        },
    },
]

_database = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif ZHENGWU_PG_PREPARED:
    # Only server-bound statements are prepared: core.rawsql's; Django's own cursors bind on the
    # client and never are.
    _database["OPTIONS"] = {"prepare_threshold": 5}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Django's validators with messages in Chinese that name the limit (accounts/passwords.py).
    {"NAME": "zhengwu.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "zhengwu.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "zhengwu.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "zhengwu.accounts.passwords.ComplexityValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"

# django-axes: lock after repeated failures (等保 level 3); what a lock counts depends on the kind
# of account (accounts/lockout.py): staff as before, citizens per account and address, so a
# stranger elsewhere cannot lock them out. The address is REMOTE_ADDR only, as in the audit log.
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOCKOUT_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = "zhengwu.accounts.lockout.lockout_parameters"
AXES_CLIENT_IP_CALLABLE = "zhengwu.accounts.lockout.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# django-simple-captcha: shown on the login page after LOGIN_CAPTCHA_AFTER failures.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 5  # minutes
# Digits, read aloud in Mandarin from shipped recordings (accounts/captcha.py): no `flite` needed.
CAPTCHA_CHALLENGE_FUNCT = "zhengwu.accounts.captcha.digit_challenge"

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie
CSRF_FAILURE_VIEW = "zhengwu.portal.views.csrf_failure"  # the site's own 403 page, in Chinese

OTP_TOTP_ISSUER = "zhengwu 政务平台"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing directory
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe the app over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# The default cache stays per process (page fragments, search results). Counts that must hold
# across processes and nodes (rate limits: 一号查询, login CAPTCHAs) use "shared": Redis when
# REDIS_URL is set, else a table of the database (made by core's migration 0003).
SHARED_CACHE_TABLE = "zhengwu_shared_cache"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "zw"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": SHARED_CACHE_TABLE}
    ),
}

if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "zhengwu",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "zhengwu",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "access": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The Huey consumer adds its own timestamped handler to "huey"; without this every line twice.
        "huey": {"propagate": False},
        # The web server's access lines (zhengwu.wsgi), on stdout whatever the log level.
        "zhengwu.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
