"""A real, throwaway PostgreSQL server for tests.

``postgres_server()`` finds the server binaries (Debian's ``/usr/lib/postgresql/*/bin``, else
``PATH``), runs ``initdb`` into a fresh temporary folder, starts the server on 127.0.0.1 with a
free port (unix socket in the same folder, trust auth, fsync off), creates a database and
yields its SQLAlchemy URL. On exit the server is stopped and the folder deleted.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
``postgres`` account that Debian's package creates, or as a ``wwtest`` system account created
for the purpose.

Missing binaries skip the tests, except under CI (``CI`` set), where they fail: CI must run them.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import NoReturn

import pytest

SKIP_REASON = (
    "PostgreSQL server binaries not installed (apt-get install postgresql); .ci/run installs them"
)
SUPERUSER = "wirewatch"  # the database superuser named in the URLs (trust auth, no password)
DATABASE = "wirewatch_test"
TEST_ACCOUNT = "wwtest"  # OS account created when running as root and ``postgres`` is absent
START_TIMEOUT = 60  # seconds


@dataclass(frozen=True)
class Server:
    """A running server: ``url(db)`` gives the SQLAlchemy URL of one of its databases."""

    port: int
    root: Path  # temporary folder holding data/, sock/ and server.log
    started_in: float  # seconds from initdb to accepting connections

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain database name: {name!r}")
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        return self.url(name)


def find_bindir() -> Path | None:
    """The folder with ``initdb``, ``pg_ctl`` and ``postgres``: the newest Debian version first."""

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    candidates = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(on_path)
    for initdb in candidates:
        bindir = Path(initdb).parent
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def _missing_binaries() -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{SKIP_REASON} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(SKIP_REASON)


def _server_account() -> pwd.struct_passwd | None:
    """The unprivileged OS account to run the server as, or None to run it as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", TEST_ACCOUNT):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    subprocess.run(
        [useradd, "--system", "--user-group", "--no-create-home",
         "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", TEST_ACCOUNT],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return pwd.getpwnam(TEST_ACCOUNT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({"LC_ALL": "C", "LANG": "C", "HOME": str(root), "TZ": "UTC"})
    return env


def _run(
    args: list[str], account: pwd.struct_passwd | None, root: Path, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run a server tool, as ``account`` when given; raise with its output on failure."""
    extra: dict[str, object] = {}
    if account is not None:
        extra = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    result = subprocess.run(
        args, cwd=root, env=dict(env), capture_output=True, text=True, stdin=subprocess.DEVNULL,
        timeout=START_TIMEOUT + 30, check=False, **extra,  # type: ignore[call-overload]
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def _log_tail(root: Path) -> str:
    try:
        return (root / "server.log").read_text(errors="replace")[-4000:]
    except OSError:
        return "(no server log)"


@contextmanager
def postgres_server() -> Iterator[Server]:
    """Start a throwaway server with an empty ``DATABASE``; stop and delete it afterwards."""
    bindir = find_bindir()
    if bindir is None:
        _missing_binaries()
    account = _server_account()
    root = Path(tempfile.mkdtemp(prefix="wirewatch-pg-"))
    data, sock, log = root / "data", root / "sock", root / "server.log"
    sock.mkdir()
    if account is not None:
        for path in (root, sock):
            os.chown(path, account.pw_uid, account.pw_gid)
    env = _clean_env(root)
    pg_ctl = str(bindir / "pg_ctl")
    started = False
    try:
        t0 = time.monotonic()
        _run(
            [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-sync"],
            account, root, env,
        )  # fmt: skip
        for attempt in range(3):  # the free port may be taken between probing and binding
            port = _free_port()
            settings = {
                "listen_addresses": "'127.0.0.1'",
                "port": str(port),
                "unix_socket_directories": f"'{sock}'",
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "max_connections": "50",
                "shared_buffers": "32MB",
                "timezone": "'UTC'",
            }
            conf = "".join(f"{k} = {v}\n" for k, v in settings.items())
            auto_conf = data / "postgresql.auto.conf"
            auto_conf.write_text(conf)
            if account is not None:
                os.chown(auto_conf, account.pw_uid, account.pw_gid)
            try:
                _run(
                    [pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT),
                     "start"],
                    account, root, env,
                )  # fmt: skip
            except RuntimeError as exc:
                if attempt == 2:
                    raise RuntimeError(f"{exc}\nserver log:\n{_log_tail(root)}") from None
                with suppress(RuntimeError, subprocess.TimeoutExpired):  # a half-started server
                    _run([pg_ctl, "-D", str(data), "-m", "immediate", "stop"], account, root, env)
                continue
            started = True
            break
        server = Server(port=port, root=root, started_in=time.monotonic() - t0)
        server.create_database(DATABASE)
        yield server
    finally:
        if started:
            try:
                _run([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], account, root, env)
            except (RuntimeError, subprocess.TimeoutExpired):
                stop_now = [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]
                with suppress(RuntimeError, subprocess.TimeoutExpired):
                    _run(stop_now, account, root, env)
        shutil.rmtree(root, ignore_errors=True)
