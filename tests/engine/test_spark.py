"""The Spark runner gives the in-process engine's ledger, in local mode and on a real
standalone cluster (a master and two workers started on 127.0.0.1 by the test).

Without pyspark or Java these tests skip, except under CI, where they fail. ``analyser`` is
the session fixture of ``tests/conftest.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wirewatch.engine import IngestSummary, ingest
from wirewatch.store import Store
from wirewatch.store.records import actor_records, article_records, event_records

pytestmark = pytest.mark.slow

# Twelve short articles written for this test: meetings, condemnations, sanctions, with dates.
_TEXTS = [
    ("2024-03-05T09:00:00+00:00", "Northern Ledger", "France and Germany agree to deepen defence cooperation",  # noqa: E501
     "PARIS, March 5, 2024 - French President Emmanuel Macron met German Chancellor Olaf Scholz in Paris on Monday. The two leaders signed an agreement on joint weapons procurement, officials said."),  # noqa: E501
    ("2024-04-12T14:30:00+00:00", "Harbor Times", "Japan condemns North Korea missile launch",
     "TOKYO, April 12, 2024 - Japan condemned North Korea on Friday after Pyongyang fired a ballistic missile into the sea. The Japanese foreign ministry said the launch violated United Nations resolutions."),  # noqa: E501
    ("2024-05-20T08:15:00+00:00", "Capital Wire", "EU imposes new sanctions on Russia",
     "BRUSSELS, May 20, 2024 - The European Union imposed new sanctions on Russia on Monday, targeting banks and energy companies. The measures freeze the assets of 40 Russian firms."),  # noqa: E501
    ("2024-06-03T11:00:00+00:00", "Meridian Daily", "India and Brazil hold talks on trade",
     "NEW DELHI, June 3, 2024 - Indian Prime Minister Narendra Modi held talks with Brazilian President Luiz Inacio Lula da Silva in New Delhi on Monday. The two countries agreed to expand trade in farm goods."),  # noqa: E501
    ("2024-06-18T16:45:00+00:00", "Pacific Wire", "Philippines accuses China of ramming boats",
     "MANILA, June 18, 2024 - The Philippines accused China on Tuesday of ramming two navy boats near Second Thomas Shoal. Manila summoned the Chinese ambassador to protest the incident."),  # noqa: E501
    ("2024-07-09T07:30:00+00:00", "Harbor Times", "Japan and Philippines sign defence pact",
     "MANILA, July 8, 2024 - Japan and the Philippines signed a reciprocal access agreement on Monday that allows their troops to train in each other's territory."),  # noqa: E501
    ("2024-08-14T10:00:00+00:00", "Capital Wire", "United States sanctions Iranian oil network",
     "WASHINGTON, August 14, 2024 - The United States sanctioned a network of shipping companies on Wednesday that it said moved Iranian oil to China. The Treasury Department said the companies helped Iran evade restrictions."),  # noqa: E501
    ("2024-09-02T12:20:00+00:00", "Northern Ledger", "Poland condemns Belarus over border incident",  # noqa: E501
     "WARSAW, September 2, 2024 - Poland condemned Belarus on Monday after a Belarusian helicopter crossed into Polish airspace. Warsaw said it would deploy more troops to the border."),  # noqa: E501
    ("2024-09-25T18:00:00+00:00", "Meridian Daily", "Turkey and Egypt pledge closer ties",
     "ANKARA, September 25, 2024 - Turkish President Recep Tayyip Erdogan met Egyptian President Abdel Fattah al-Sisi in Ankara on Wednesday. The two presidents pledged to cooperate on energy and regional security."),  # noqa: E501
    ("2024-10-22T06:10:00+00:00", "Pacific Wire", "South Korea and Britain to hold 2+2 talks",
     "SEOUL, October 22, 2024 - South Korea and Britain will hold their first 2+2 talks of foreign and defence ministers in London next month, the foreign ministry said on Tuesday. The two countries also condemned the deployment of North Korean troops to Russia."),  # noqa: E501
    ("2024-11-04T09:40:00+00:00", "Capital Wire", "Canada expels Indian diplomats",
     "OTTAWA, November 4, 2024 - Canada expelled six Indian diplomats on Monday, accusing India of a campaign of violence against Canadian citizens. India rejected the accusation as absurd."),  # noqa: E501
    ("2024-12-10T13:00:00+00:00", "Northern Ledger", "Norway offers aid to Sudan",
     "OSLO, December 10, 2024 - Norway pledged 200 million crowns in humanitarian aid to Sudan on Tuesday. The Norwegian foreign minister said the money would go to food and medicine."),  # noqa: E501
]  # fmt: skip
ARTICLES: list[dict[str, Any]] = [
    {"id": f"sparktest-{i:02d}", "published": published, "outlet": outlet, "title": title,
     "language": "en", "text": f"{title}\n{body}"}
    for i, (published, outlet, title, body) in enumerate(_TEXTS)
]  # fmt: skip

# Executors must reach the driver on loopback: the host name may resolve elsewhere.
LOOPBACK_CONF = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.executor.memory": "512m",
}


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the Spark tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        _missing("pyspark is not installed: pip install -r .deps-issue8-spark.txt")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        _missing("no Java runtime (java on PATH or JAVA_HOME): Spark needs Java 17")
    return Path(pyspark.__file__).parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spark-corpus") / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    return path


def _ledger(store: Store) -> dict[str, Any]:
    return {
        "events": list(event_records(store)),
        "articles": list(article_records(store)),
        "actors": list(actor_records(store)),
        "mentions": sorted((m.to_dict() for m in store.iter_mentions()), key=lambda d: (
            d["article"], d["index"])),
    }  # fmt: skip


@pytest.fixture(scope="module")
def reference(corpus: Path, analyser, tmp_path_factory) -> tuple[IngestSummary, dict[str, Any]]:
    store = Store.open(str(tmp_path_factory.mktemp("spark-ref") / "ref.db"))
    summary = ingest([corpus], store, analyser)
    return summary, _ledger(store)


def _check_same(runner: Any, corpus: Path, reference, analyser, db: Path) -> None:
    ref_summary, ref_ledger = reference
    assert ref_summary.events > 10, "the test corpus should give events"
    store = Store.open(str(db))
    summary = ingest([corpus], store, runner, batch_size=8)  # several Spark jobs
    assert runner.version == analyser.version
    assert summary.as_dict() == ref_summary.as_dict()
    assert summary.errors == []
    ledger = _ledger(store)
    for key in ("articles", "mentions", "actors", "events"):
        assert ledger[key] == ref_ledger[key], f"{key} differ from the in-process engine"


def test_local_mode_matches_in_process(spark_home, corpus, reference, analyser, tmp_path):
    from wirewatch.engine.spark import SparkRunner

    with SparkRunner("local[2]", conf=LOOPBACK_CONF) as runner:
        _check_same(runner, corpus, reference, analyser, tmp_path / "spark.db")
        assert list(runner.run([])) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(spark_home: Path, args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(spark_home / "bin" / "spark-class"), *args],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    """Stop one process this test started, with the executors and Python workers it spawned
    (its own process group, as it was started in a new session)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


@pytest.fixture
def cluster(spark_home: Path, tmp_path: Path) -> Iterator[str]:
    """A standalone master and two one-core workers on 127.0.0.1; yields the master URL."""
    port, ui = _free_port(), _free_port()
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_WORKER_DIR": str(tmp_path / "work"),
    }
    url = f"spark://127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []
    try:
        procs.append(
            _start(
                spark_home,
                [
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--webui-port",
                    str(ui),
                ],
                tmp_path / "master.log",
                env,
            )
        )
        for n in (1, 2):
            procs.append(_start(spark_home, [
                "org.apache.spark.deploy.worker.Worker", url, "--cores", "1", "--memory", "1g",
                "--host", "127.0.0.1", "--webui-port", str(_free_port())],
                tmp_path / f"worker{n}.log", env))  # fmt: skip
        deadline = time.monotonic() + 90
        alive = 0
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in procs):
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2) as resp:
                    state = json.load(resp)
                alive = sum(w.get("state") == "ALIVE" for w in state.get("workers", []))
            except OSError:
                alive = 0
            if alive == 2:
                break
            time.sleep(0.5)
        if alive != 2:
            logs = "\n".join(
                f"--- {f.name}\n{f.read_text(errors='replace')[-2000:]}"
                for f in sorted(tmp_path.glob("*.log"))
            )
            pytest.fail(f"the standalone cluster did not come up ({alive}/2 workers)\n{logs}")
        yield url
    finally:
        for proc in reversed(procs):
            _stop(proc)


def test_standalone_cluster_matches_in_process(cluster, corpus, reference, analyser, tmp_path):
    from wirewatch.engine.spark import SparkRunner

    with SparkRunner(cluster, conf=LOOPBACK_CONF) as runner:
        assert runner.wait_for_executors(2, timeout=60) == 2
        _check_same(runner, corpus, reference, analyser, tmp_path / "spark.db")
