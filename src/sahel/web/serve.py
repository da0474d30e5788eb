"""``sahel serve``: decide who the server is for, then run the application with uvicorn.

Why the audience is decided from the address: ACLED's terms let the registered user work with
event rows but forbid publishing them. A server bound to a loopback address serves only this
machine's user; any other address makes it public, which must be asked for (``--public``) and
then serves ACLED aggregates only.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from sahel.errors import ConfigError
from sahel.web.state import ServeConfig


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost`` are loopback; every other name or address is not
    (a host name could resolve anywhere)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_config(db_path: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 public: bool = False, registry_root: Path | None = None,
                 shared_data: Path | None = None,
                 cors_origins: tuple[str, ...] = ()) -> ServeConfig:
    """The configuration of ``sahel serve``: binding a non-loopback address needs ``public``
    (and makes the server public); ``public`` on loopback previews what the public sees."""
    if not 0 < port < 65536:
        raise ConfigError(f"port {port} is not a TCP port", field="--port",
                          hint="use a number between 1 and 65535, e.g. 8000")
    if not is_loopback(host) and not public:
        raise ConfigError(f"{host} is not a loopback address: the server would be public",
                          field="--host",
                          hint="add --public (ACLED event rows are then never served, only "
                               "aggregates), or bind 127.0.0.1")
    if not db_path.is_file():
        raise ConfigError("no event store to serve", file=db_path, field="--db",
                          hint="run `sahel build` first, or point --db at a store")
    for origin in cors_origins:
        if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
            raise ConfigError(f"CORS origin {origin!r} is not scheme://host[:port]",
                              field="--cors-origin", hint="e.g. https://example.org")
    return ServeConfig(db_path=db_path, registry_root=registry_root, shared_data=shared_data,
                       public=public or not is_loopback(host), host=host, port=port,
                       cors_origins=cors_origins)


def run(config: ServeConfig) -> None:
    """Serve until interrupted (Ctrl-C)."""
    import uvicorn

    from sahel.web.app import create_app

    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning",
                server_header=False, date_header=True, timeout_keep_alive=5,
                limit_concurrency=200, h11_max_incomplete_event_size=16 * 1024)
