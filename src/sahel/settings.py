"""Settings in one typed place, read from the environment when asked for — never at import time.

Why lazily: tests and the CLI change the environment (``SAHEL_HOME``, credentials) per run; a
settings object built at import would freeze whatever was there first (DESIGN convention 6).
Credentials are held as :class:`pydantic.SecretStr` so that printing settings never shows them
(the ACLED e-mail, a plain string, is left out of the repr too: it is half of a login).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from sahel.errors import ConfigError

#: Environment variables the observatory reads, with their help text (``sahel settings`` prints it).
ENV_HELP: dict[str, str] = {
    "SAHEL_HOME": "folder for the store, downloads and exports (default: ~/.local/share/sahel)",
    "SAHEL_DB": "path of the DuckDB event store (default: $SAHEL_HOME/sahel.duckdb)",
    "SAHEL_SHARED_DATA": "folder of reference data files (default: ../shared/data from the repo)",
    "SAHEL_UCDP_TOKEN": "UCDP API access token, sent as the x-ucdp-access-token header",
    "SAHEL_UCDP_API_URL": "UCDP API base URL (default: https://ucdpapi.pcr.uu.se/api)",
    "SAHEL_UCDP_DOWNLOAD_URL": "UCDP downloads base URL (default: https://ucdp.uu.se/downloads)",
    "SAHEL_UCDP_DAILY_QUOTA": "UCDP API requests allowed per day (default: 5000)",
    "ACLED_USERNAME": "ACLED account e-mail (OAuth password grant)",
    "ACLED_PASSWORD": "ACLED account password (never logged or written)",
    "SAHEL_ACLED_API_URL": "ACLED API base URL (default: https://acleddata.com)",
    "SAHEL_HTTP_DEADLINE": "total seconds one UCDP file download may take, however slowly the "
    "server sends (default: 600); on expiry the .part file is kept and the next run resumes it",
    "SAHEL_HTTP_API_DEADLINE": "total seconds one API request may take, retries included: a "
    "UCDP or ACLED page, an ACLED login; all release probes together (default: 300)",
}

#: Defaults of the two total deadlines, in seconds (see sahel.events.clients.http.Deadline).
#: Why these: a download is tens of MB, ~10 minutes at 50 KB/s, and resumes if cut; one API
#: page is at most a few MB but ACLED can take minutes to compose 5,000 rows.
DEFAULT_HTTP_DEADLINE = 600.0
DEFAULT_HTTP_API_DEADLINE = 300.0

_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    home: Path
    db_path: Path
    shared_data: Path
    ucdp_token: SecretStr | None = None
    ucdp_api_url: str = "https://ucdpapi.pcr.uu.se/api"
    ucdp_download_url: str = "https://ucdp.uu.se/downloads"
    ucdp_daily_quota: int = 5000
    acled_username: str | None = field(default=None, repr=False)
    acled_password: SecretStr | None = field(default=None, repr=False)
    acled_api_url: str = "https://acleddata.com"
    http_deadline: float = DEFAULT_HTTP_DEADLINE
    http_api_deadline: float = DEFAULT_HTTP_API_DEADLINE

    @property
    def downloads(self) -> Path:
        return self.home / "downloads"

    def require_ucdp_token(self) -> SecretStr:
        if self.ucdp_token is None or not self.ucdp_token.get_secret_value():
            raise ConfigError(
                "the UCDP API needs an access token",
                hint="request one from UCDP and set SAHEL_UCDP_TOKEN=<token>",
            )
        return self.ucdp_token

    def require_acled_credentials(self) -> tuple[str, SecretStr]:
        if not self.acled_username or self.acled_password is None:
            raise ConfigError(
                "the ACLED API needs your ACLED account",
                hint="set ACLED_USERNAME=<e-mail> and ACLED_PASSWORD=<password> in the environment",
            )
        return self.acled_username, self.acled_password


def _env(name: str, env: dict[str, str]) -> str | None:
    value = env.get(name)
    return value if value not in (None, "") else None


def _seconds(name: str, env: dict[str, str], default: float) -> float:
    """A positive number of seconds from ``env[name]``, or ``default`` when unset."""
    text = _env(name, env)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise ConfigError(
            f"{name} must be a positive number of seconds, got {text!r}",
            field=name,
            hint=f"unset it to use the default of {default:g} s",
        )
    return value


def get_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (default: the process environment) at call time."""
    env = dict(os.environ) if env is None else env
    home = Path(_env("SAHEL_HOME", env) or Path.home() / ".local" / "share" / "sahel").expanduser()
    db = Path(_env("SAHEL_DB", env) or home / "sahel.duckdb").expanduser()
    shared = Path(_env("SAHEL_SHARED_DATA", env) or _REPO_ROOT.parent / "shared" / "data")
    quota_text = _env("SAHEL_UCDP_DAILY_QUOTA", env) or "5000"
    try:
        quota = int(quota_text)
    except ValueError as exc:
        raise ConfigError(
            f"SAHEL_UCDP_DAILY_QUOTA must be a whole number, got {quota_text!r}",
            field="SAHEL_UCDP_DAILY_QUOTA",
            hint="unset it to use UCDP's 5000 requests a day",
        ) from exc
    token = _env("SAHEL_UCDP_TOKEN", env)
    password = _env("ACLED_PASSWORD", env)
    return Settings(
        home=home,
        db_path=db,
        shared_data=shared,
        ucdp_token=SecretStr(token) if token else None,
        ucdp_api_url=(_env("SAHEL_UCDP_API_URL", env) or Settings.ucdp_api_url).rstrip("/"),
        ucdp_download_url=(
            _env("SAHEL_UCDP_DOWNLOAD_URL", env) or Settings.ucdp_download_url
        ).rstrip("/"),
        ucdp_daily_quota=quota,
        acled_username=_env("ACLED_USERNAME", env),
        acled_password=SecretStr(password) if password else None,
        acled_api_url=(_env("SAHEL_ACLED_API_URL", env) or Settings.acled_api_url).rstrip("/"),
        http_deadline=_seconds("SAHEL_HTTP_DEADLINE", env, DEFAULT_HTTP_DEADLINE),
        http_api_deadline=_seconds("SAHEL_HTTP_API_DEADLINE", env, DEFAULT_HTTP_API_DEADLINE),
    )
