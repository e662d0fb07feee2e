"""``cramp-coach serve``: the web service under gunicorn, configured by flags or environment variables.

Settings are resolved here, once, into frozen dataclasses; the app factory never reads the
environment. Flask and gunicorn are imported only when the server starts, so ``--help`` stays quick.
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

import click
from click.core import ParameterSource

from skill.log_format import LOG_FORMATS, configure_logging, gunicorn_logger_class

if TYPE_CHECKING:
    from skill.stores import StoreConfig
    from skill.web import WebConfig

log = logging.getLogger(__name__)

ENV_PREFIX = "CRAMP_COACH_"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_WORKERS = 2
WORKER_TIMEOUT_SECONDS = 30
"""Alexa gives up after 8 s; a worker stuck far longer than that is restarted."""
GRACEFUL_TIMEOUT_SECONDS = 10
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STORE_KINDS = ("sqlite", "dynamodb", "memory")
TEST_CERT_CHAIN_VARIABLE = f"{ENV_PREFIX}TEST_CERT_CHAIN_FILE"
"""TESTS AND BENCHMARKS ONLY: a PEM chain that answers for every Amazon cert URL (with --allow-test-cert-chain)."""
CONSOLE_WORKERS = 1
"""The console keeps each browser's conversation in its worker's memory, so there is one worker."""


@dataclass(frozen=True)
class ServeSettings:
    """Where and how many: the process-level half of the configuration."""

    host: str
    port: int
    workers: int
    web: "WebConfig"

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class SkillIdType(click.ParamType):
    """A skill id; in the environment, several are separated by commas."""

    name = "ID"
    envvar_list_splitter = ","

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> str:
        text = str(value).strip()
        if not text:
            self.fail("a skill id must not be empty (expected amzn1.ask.skill.…)", param, ctx)
        return text


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run_server(settings: ServeSettings) -> None:
    """Run gunicorn in this process until it is told to stop; each worker builds its own app."""
    from gunicorn.app.base import BaseApplication

    from skill.web import create_app

    class CrampCoachServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", [settings.bind])
            self.cfg.set("workers", settings.workers)
            self.cfg.set("timeout", WORKER_TIMEOUT_SECONDS)
            self.cfg.set("graceful_timeout", GRACEFUL_TIMEOUT_SECONDS)
            self.cfg.set("proc_name", "cramp-coach")
            self.cfg.set("post_worker_init", freeze_startup_objects)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25.1: no runtime-control socket
                self.cfg.set("control_socket_disable", True)
            if gunicorn_logger_class() is not None:  # --log-format json
                self.cfg.set("logger_class", gunicorn_logger_class())

        def load(self) -> Any:
            return create_app(settings.web)

    CrampCoachServer().run()


def freeze_startup_objects(worker: Any = None) -> None:
    """Keep what the worker built at start (content, models, the skill) out of the garbage collector's sweeps.

    Those objects live as long as the worker; sweeping them again and again is most of what
    collection costs a request (gunicorn's post_worker_init hook, after the app is loaded).
    """
    gc.collect()
    gc.freeze()


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, envvar=f"{ENV_PREFIX}HOST", show_envvar=True,
              help="Address to listen on. Put a TLS-terminating proxy in front: Alexa only calls HTTPS on 443.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              envvar=f"{ENV_PREFIX}PORT", show_envvar=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=DEFAULT_WORKERS, show_default=True,
              envvar=f"{ENV_PREFIX}WORKERS", show_envvar=True,
              help="Worker processes; each loads the skill once at start.")
@click.option("--skill-id", "skill_ids", type=SkillIdType(), multiple=True, envvar=f"{ENV_PREFIX}SKILL_IDS",
              show_envvar=True, help="Answer only this skill (repeatable; comma-separated in the environment).")
@click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar=f"{ENV_PREFIX}CA_BUNDLE", show_envvar=True,
              help="PEM roots to validate Amazon's signing chain against (default: certifi's bundle).")
@click.option("--no-verify", is_flag=True, envvar=f"{ENV_PREFIX}NO_VERIFY", show_envvar=True,
              help="LOCAL TESTING ONLY: skip Amazon's signature and timestamp checks.")
@click.option("--i-know-this-is-insecure", "insecure_ok", is_flag=True,
              help="Allow --no-verify on an address other than loopback.")
@click.option("--store", "store_kind", type=click.Choice(STORE_KINDS), default="sqlite", show_default=True,
              envvar=f"{ENV_PREFIX}STORE", show_envvar=True,
              help="Where her memory lives; every worker shares it (memory: one worker only).")
@click.option("--db", "--sqlite-path", "sqlite_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar=[f"{ENV_PREFIX}DB", f"{ENV_PREFIX}SQLITE_PATH"], show_envvar=True,
              help="SQLite file (default: $XDG_DATA_HOME/cramp-coach/cramp-coach.sqlite3).")
@click.option("--dynamodb-table", envvar=f"{ENV_PREFIX}DYNAMODB_TABLE", show_envvar=True,
              help="DynamoDB table, with --store dynamodb.")
@click.option("--dynamodb-region", envvar=f"{ENV_PREFIX}DYNAMODB_REGION", show_envvar=True,
              help="DynamoDB region (default: AWS_REGION).")
@click.option("--dynamodb-endpoint-url", envvar=f"{ENV_PREFIX}DYNAMODB_ENDPOINT_URL", show_envvar=True,
              help="DynamoDB endpoint, for a local DynamoDB (default: AWS's own for the region).")
@click.option("--user-salt", envvar=f"{ENV_PREFIX}USER_SALT", show_envvar=True,
              help="Secret salt for hashing user ids (required for DynamoDB; prefer the environment variable).")
@click.option("--console", is_flag=True,
              help="Also serve a page at / to talk to the skill in a browser, by typing or by voice. "
                   "Loopback only, one worker, memory store unless --store is given; /alexa is still verified.")
@click.option("--fast-serializer/--sdk-serializer", default=True, show_default=True,
              envvar=f"{ENV_PREFIX}FAST_SERIALIZER", show_envvar=True,
              help="Read requests and write answers with the compiled serializer, "
                   "or with ask-sdk's own DefaultSerializer.")
@click.option("--log-format", type=click.Choice(LOG_FORMATS), default="text", show_default=True,
              envvar=f"{ENV_PREFIX}LOG_FORMAT", show_envvar=True,
              help="One line per request as text, or as a JSON object (same fields; never a user id or words).")
@click.option("--allow-test-cert-chain", is_flag=True,
              help=f"TESTS AND BENCHMARKS ONLY, loopback only: verify against the chain in ${TEST_CERT_CHAIN_VARIABLE} "
                   "instead of fetching Amazon's.")
def serve(host: str, port: int, workers: int, skill_ids: tuple[str, ...], ca_bundle: Optional[Path],
          no_verify: bool, insecure_ok: bool, store_kind: str, sqlite_path: Optional[Path],
          dynamodb_table: Optional[str], dynamodb_region: Optional[str], dynamodb_endpoint_url: Optional[str],
          user_salt: Optional[str], console: bool, fast_serializer: bool, log_format: str,
          allow_test_cert_chain: bool) -> None:
    """Serve the skill to Alexa over HTTP: POST /alexa, GET /healthz.

    Runs under gunicorn with WORKERS processes. Every request is checked as Amazon requires
    of a skill hosted as a web service (signature, certificate chain, timestamp) and, with
    --skill-id, that it is for this skill. Flags win over the environment variables shown.

    --console also serves a page at / to try the skill in a browser, typing or speaking. It
    is for this computer only (loopback --host), runs one worker, and its requests skip
    Alexa's verification, which /alexa keeps.

    \b
    Examples:
      cramp-coach serve --skill-id amzn1.ask.skill.1234 --port 8080
      cramp-coach serve --no-verify                 # local testing with curl
      cramp-coach serve --console                   # then open http://127.0.0.1:8080/
    """
    if console and not is_loopback(host):
        raise click.BadParameter(
            f"--console lets anyone who can reach {host} talk to the skill without Alexa's verification; "
            "it is for this computer only: listen on 127.0.0.1 (the default), localhost or ::1",
            param_hint="--host",
        )
    requested_workers = workers
    if console:
        workers = CONSOLE_WORKERS
        if click.get_current_context().get_parameter_source("store_kind") is ParameterSource.DEFAULT:
            store_kind = "memory"  # try-outs in the browser stay out of real listeners' records
    if no_verify and not is_loopback(host) and not insecure_ok:
        raise click.BadParameter(
            f"--no-verify would let anyone who can reach {host} make the skill speak; "
            "listen on 127.0.0.1, drop --no-verify, or add --i-know-this-is-insecure",
            param_hint="--host",
        )
    if store_kind == "memory" and workers > 1:
        raise click.BadParameter(
            "memory keeps her memory inside one worker, so the next request may not find it; "
            "use --workers 1, or --store sqlite",
            param_hint="--store",
        )
    from skill.builder import SkillConfig
    from skill.content import load_content
    from skill.stores import StoreConfig
    from skill.web import WebConfig

    configure_logging(log_format, LOG_FORMAT)
    test_cert_chain = _test_cert_chain(os.environ, allow_test_cert_chain, host, no_verify)
    try:
        load_content()  # fail here, once and readably, rather than in every worker
    except ValueError as error:
        raise click.ClickException(f"{error} (fix the content, then try again)") from None
    store = StoreConfig(kind=store_kind, sqlite_path=sqlite_path, dynamodb_table=dynamodb_table,
                        dynamodb_region=dynamodb_region, dynamodb_endpoint_url=dynamodb_endpoint_url,
                        user_key_salt=user_salt)
    _check_store(store)
    web = WebConfig(verify=not no_verify, skill_ids=skill_ids, ca_bundle=ca_bundle,
                    skill=SkillConfig(fast_serializer=fast_serializer), test_cert_chain=test_cert_chain, store=store,
                    console=console)
    if console:
        log.info("console: open http://%s/ in a browser on this computer", ServeSettings(host, port, workers, web).bind)
        if requested_workers != CONSOLE_WORKERS:
            log.info("console: one worker, not %d: each browser's conversation lives in its memory",
                     requested_workers)
    if no_verify:
        log.warning("=" * 72)
        log.warning("REQUEST VERIFICATION IS OFF (--no-verify): for local testing only, never for Alexa.")
        log.warning("=" * 72)
    else:
        _check_trust_roots(ca_bundle)
    run_server(ServeSettings(host=host, port=port, workers=workers, web=web))


def _test_cert_chain(environ: Mapping[str, str], allowed: bool, host: str, no_verify: bool) -> Optional[bytes]:
    """The benchmarks' stand-in for Amazon's signing chain: only when asked for twice, on loopback, loudly."""
    path = environ.get(TEST_CERT_CHAIN_VARIABLE)
    if not path and not allowed:
        return None
    if not allowed:
        raise click.UsageError(f"{TEST_CERT_CHAIN_VARIABLE} is set: it replaces Amazon's signing certificates and is "
                               "for tests and benchmarks only; unset it, or add --allow-test-cert-chain")
    if not path:
        raise click.UsageError(f"--allow-test-cert-chain needs {TEST_CERT_CHAIN_VARIABLE}: a PEM chain, leaf first")
    if no_verify:
        raise click.UsageError("--allow-test-cert-chain is for testing verification; drop --no-verify")
    if not is_loopback(host):
        raise click.BadParameter(f"a test certificate chain is for this computer only, not {host}: "
                                 "listen on 127.0.0.1", param_hint="--host")
    try:
        pem = Path(path).read_bytes()
    except OSError as error:
        raise click.UsageError(f"{TEST_CERT_CHAIN_VARIABLE}: {error}") from None
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise click.UsageError(f"{TEST_CERT_CHAIN_VARIABLE}: {path}: no PEM certificates")
    log.warning("=" * 72)
    log.warning("TEST CERTIFICATE CHAIN IN USE (%s=%s): every SignatureCertChainUrl gets this chain, "
                "not Amazon's. For tests and benchmarks only, never for Alexa.", TEST_CERT_CHAIN_VARIABLE, path)
    log.warning("=" * 72)
    return pem


def _check_store(store: "StoreConfig") -> None:
    """Open the store once before the workers do: settings are checked and the schema migrated here."""
    from skill.stores import StoreConfigError, open_store

    try:
        open_store(store)
    except StoreConfigError as error:
        raise click.UsageError(str(error)) from None


def _check_trust_roots(ca_bundle: Optional[Path]) -> None:
    from skill.verify import load_trust_roots

    try:
        load_trust_roots(ca_bundle)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot load the trusted roots: {error}; pass a PEM file to --ca-bundle") from None
