"""Logging for the command line's commands, set before each runs (``corpcare serve`` sets it
again from its full settings).

With JSON logs on (``CORPCARE_LOG_JSON`` or ``CORPCARE_ENV=production``), the lines of
``corpcare migrate`` and the rest are JSON as the server's are (server/log_format.py); off, the
standard library's plain lines do, and a command that logs nothing does not load structlog.
A command's refusal (``click.ClickException``) is a JSON line too when logs are JSON.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

_json = False


def configure() -> None:
    global _json
    _json = json_logs_from_environment()
    if _json:
        from server import log_format

        log_format.configure(json_logs=True)
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


class Commands(click.Group):
    """The ``corpcare`` group: with JSON logs, a command's refusal is logged (and the exit code
    kept) instead of printed as ``Error: …``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            if not _json:
                raise
            logging.getLogger("corpcare.cli").error(error.format_message(), extra={"exit_code": error.exit_code})
            sys.exit(error.exit_code)


def json_logs_from_environment() -> bool:
    """``Settings().json_logs`` (server/settings.py), read without the rest of the settings: a
    command that needs none of them must not fail on one of them."""
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class LogSettings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="CORPCARE_", env_file=".env", extra="ignore")
        env: str = "development"
        log_json: bool = False

    try:
        read = LogSettings()
    except ValueError:  # a malformed value: the full settings say so when the command reads them
        return False
    return read.log_json or read.env == "production"
