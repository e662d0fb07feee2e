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
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from skill.web.log_format import LOG_FORMATS, configure_logging, gunicorn_logger_class

if TYPE_CHECKING:
    from skill.runtime.stores import StoreConfig
    from skill.web.app import WebConfig

log = logging.getLogger(__name__)

ENV_PREFIX = "CRAMP_COACH_"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_WORKERS = 2
WORKER_CLASS = "gthread"
"""Threads in each worker: a slow client or a certificate fetch holds one thread, not the whole worker."""
THREADS_PER_WORKER = 8
"""More than the slow clients one worker should absorb alone (workers + 2 in the tests); beyond that, the
proxy in front buffers requests (deploy kit), as any server facing the internet needs."""
WORKER_TIMEOUT_SECONDS = 15
"""Alexa gives up after 8 s; a worker whose main loop is stuck past this is restarted."""
GRACEFUL_TIMEOUT_SECONDS = 10
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STORE_KINDS = ("sqlite", "dynamodb", "memory")
TEST_CERT_CHAIN_VARIABLE = f"{ENV_PREFIX}TEST_CERT_CHAIN_FILE"
"""TESTS AND BENCHMARKS ONLY: a PEM chain that answers for every Amazon cert URL (with --allow-test-cert-chain)."""
TEST_CERT_ORIGIN_VARIABLE = f"{ENV_PREFIX}TEST_CERT_ORIGIN"
"""TESTS AND BENCHMARKS ONLY: a loopback HTTPS origin that serves chains by Amazon's path (with --allow-test-cert-chain)."""
TEST_CERT_ORIGIN_CA_VARIABLE = f"{ENV_PREFIX}TEST_CERT_ORIGIN_CA"
"""The PEM root that origin's TLS certificate is issued by."""
CONSOLE_WORKERS = 1
"""The console keeps each browser's conversation in its worker's memory, so there is one worker."""


@dataclass(frozen=True)
class ServeSettings:
    """Where and how many: the process-level half of the configuration."""

    host: str
    port: int
    workers: int
    web: "WebConfig"
    threads: int = THREADS_PER_WORKER

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


PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP")
"""Headers a proxy adds: a request carrying one came from elsewhere, whatever its loopback peer and Host say."""


def proxy_header(headers: Mapping[str, str]) -> Optional[str]:
    """The first proxy header ``headers`` carry, or None: loopback-only features refuse such requests."""
    return next((name for name in PROXY_HEADERS if name in headers), None)


def run_server(settings: ServeSettings) -> None:
    """Run gunicorn in this process until it is told to stop; each worker builds its own app."""
    from gunicorn.app.base import BaseApplication

    from skill.web.app import create_app

    class CrampCoachServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", [settings.bind])
            self.cfg.set("workers", settings.workers)
            self.cfg.set("worker_class", WORKER_CLASS if settings.threads > 1 else "sync")
            self.cfg.set("threads", settings.threads)
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
@click.option("--threads", type=click.IntRange(1, 64), default=THREADS_PER_WORKER, show_default=True,
              envvar=f"{ENV_PREFIX}THREADS", show_envvar=True,
              help="Threads per worker: a slow client holds one, not the worker. 1: gunicorn's sync workers, "
                   "only behind a proxy that buffers whole requests.")
@click.option("--skill-id", "skill_ids", type=SkillIdType(), multiple=True, envvar=f"{ENV_PREFIX}SKILL_IDS",
              show_envvar=True, help="Answer only this skill (repeatable; comma-separated in the environment). "
                                     "Required with verification on, unless --any-skill.")
@click.option("--any-skill", is_flag=True, envvar=f"{ENV_PREFIX}ANY_SKILL", show_envvar=True,
              help="Answer signed requests for any skill id (Amazon requires a skill to check that a request "
                   "is meant for it: give --skill-id instead).")
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
          allow_test_cert_chain: bool, any_skill: bool, threads: int) -> None:
    """Serve the skill to Alexa over HTTP: POST /alexa, GET /healthz.

    Runs under gunicorn with WORKERS processes. Every request is checked as Amazon requires
    of a skill hosted as a web service (signature, certificate chain, timestamp) and that it
    is for this skill: --skill-id is required (or --any-skill, to answer every skill's requests).
    Flags win over the environment variables shown.

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
    if not no_verify and not skill_ids and not any_skill and not console:
        raise click.UsageError(
            "a skill id is required: Alexa signs requests for every skill, so without one this server would answer "
            "any skill's; pass --skill-id amzn1.ask.skill.… (or set CRAMP_COACH_SKILL_IDS), "
            "or --any-skill to accept them all"
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
    from skill.runtime.builder import SkillConfig
    from skill.runtime.content import load_content
    from skill.runtime.stores import StoreConfig
    from skill.web.app import WebConfig

    configure_logging(log_format, LOG_FORMAT)
    test_cert_chain = _test_cert_chain(os.environ, allow_test_cert_chain, host, no_verify)
    test_cert_origin, test_cert_origin_ca = _test_cert_origin(os.environ) if allow_test_cert_chain else (None, None)
    try:
        load_content()  # fail here, once and readably, rather than in every worker
    except ValueError as error:
        raise click.ClickException(f"{error} (fix the content, then try again)") from None
    store = StoreConfig(kind=store_kind, sqlite_path=sqlite_path, dynamodb_table=dynamodb_table,
                        dynamodb_region=dynamodb_region, dynamodb_endpoint_url=dynamodb_endpoint_url,
                        user_key_salt=user_salt)
    _check_store(store)
    web = WebConfig(verify=not no_verify, skill_ids=skill_ids, ca_bundle=ca_bundle,
                    skill=SkillConfig(fast_serializer=fast_serializer), test_cert_chain=test_cert_chain,
                    test_cert_origin=test_cert_origin, test_cert_origin_ca=test_cert_origin_ca, store=store,
                    store_prepared=True,
                    console=console)
    if console:
        log.info("console: open http://%s/ in a browser on this computer", ServeSettings(host, port, workers, web).bind)
        if requested_workers != CONSOLE_WORKERS:
            log.info("console: one worker, not %d: each browser's conversation lives in its memory",
                     requested_workers)
    if any_skill and not skill_ids and not no_verify:
        log.warning("--any-skill: signed requests for ANY skill are answered; give --skill-id to answer only yours")
    if no_verify:
        log.warning("=" * 72)
        log.warning("REQUEST VERIFICATION IS OFF (--no-verify): for local testing only, never for Alexa.")
        log.warning("=" * 72)
    else:
        _check_trust_roots(ca_bundle)
    run_server(ServeSettings(host=host, port=port, workers=workers, web=web, threads=threads))


def _test_cert_chain(environ: Mapping[str, str], allowed: bool, host: str, no_verify: bool) -> Optional[bytes]:
    """The benchmarks' stand-in for Amazon's signing chain: only when asked for twice, on loopback, loudly."""
    path = environ.get(TEST_CERT_CHAIN_VARIABLE)
    origin = environ.get(TEST_CERT_ORIGIN_VARIABLE)
    if not path and not origin and not allowed:
        return None
    if not allowed:
        variable = TEST_CERT_CHAIN_VARIABLE if path else TEST_CERT_ORIGIN_VARIABLE
        raise click.UsageError(f"{variable} is set: it replaces Amazon's signing certificates and is "
                               "for tests and benchmarks only; unset it, or add --allow-test-cert-chain")
    if not path and not origin:
        raise click.UsageError(f"--allow-test-cert-chain needs {TEST_CERT_CHAIN_VARIABLE}: a PEM chain, leaf first "
                               f"(or {TEST_CERT_ORIGIN_VARIABLE}: a loopback HTTPS server to fetch chains from)")
    if no_verify:
        raise click.UsageError("--allow-test-cert-chain is for testing verification; drop --no-verify")
    if not is_loopback(host):
        raise click.BadParameter(f"a test certificate chain is for this computer only, not {host}: "
                                 "listen on 127.0.0.1", param_hint="--host")
    if not path:
        return None
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


def _test_cert_origin(environ: Mapping[str, str]) -> tuple[Optional[str], Optional[bytes]]:
    """A loopback HTTPS server to fetch chains from, and its TLS root (already gated by ``_test_cert_chain``)."""
    origin = environ.get(TEST_CERT_ORIGIN_VARIABLE)
    if not origin:
        return None, None
    parts = urlsplit(origin)
    if parts.scheme != "https" or not is_loopback(parts.hostname or "") or parts.path not in ("", "/"):
        raise click.UsageError(f"{TEST_CERT_ORIGIN_VARIABLE}: {origin!r}: expected https://127.0.0.1:PORT")
    ca_path = environ.get(TEST_CERT_ORIGIN_CA_VARIABLE)
    try:
        ca = Path(ca_path).read_bytes() if ca_path else None
    except OSError as error:
        raise click.UsageError(f"{TEST_CERT_ORIGIN_CA_VARIABLE}: {error}") from None
    log.warning("TEST CERTIFICATE SERVER IN USE (%s=%s): chains are fetched from it, not from Amazon. "
                "For tests and benchmarks only, never for Alexa.", TEST_CERT_ORIGIN_VARIABLE, origin)
    return origin.rstrip("/"), ca


class StartupError(click.ClickException):
    """A setting that cannot work: one line saying what and what to do, exit code 2 (as for bad flags)."""

    exit_code = 2


def _check_store(store: "StoreConfig") -> None:
    """Open the store once, in the master before any worker forks: settings checked, schema migrated, salt settled,
    and the store asked whether it answers, so a broken one stops ``serve`` here rather than at her first request."""
    import sqlite3

    from skill.runtime.stores import StoreConfigError, open_store

    try:
        opened = open_store(store, prepare=True)
    except StoreConfigError as error:
        raise click.UsageError(str(error)) from None
    except (OSError, sqlite3.Error) as error:
        raise StartupError(_store_error(store, error)) from None
    problem = opened.problem()
    if problem:
        raise StartupError(f"{problem}; {_store_settings_hint(store)}")


def _store_error(store: "StoreConfig", error: Exception) -> str:
    from skill.runtime.stores.sqlite import default_database_path

    path = store.sqlite_path or default_database_path()
    if "locked" in str(error):
        return (f"the SQLite database {path} is locked by another process ({error}); stop that process or wait, "
                "then start again")
    return (f"cannot write the SQLite database {path} ({type(error).__name__}: {error}); make the file and its folder "
            "writable by this user, or choose another file with --db (CRAMP_COACH_SQLITE_PATH)")


def _store_settings_hint(store: "StoreConfig") -> str:
    if store.kind == "dynamodb":
        return ("check --dynamodb-table, --dynamodb-region and --dynamodb-endpoint-url "
                "(CRAMP_COACH_DYNAMODB_TABLE, CRAMP_COACH_DYNAMODB_REGION, CRAMP_COACH_DYNAMODB_ENDPOINT_URL)")
    return "check --db (CRAMP_COACH_SQLITE_PATH)"


def _check_trust_roots(ca_bundle: Optional[Path]) -> None:
    from skill.web.verify import load_trust_roots

    try:
        load_trust_roots(ca_bundle)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot load the trusted roots: {error}; pass a PEM file to --ca-bundle") from None
