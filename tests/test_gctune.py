"""The larger young generation of the cycle collector while articles are analysed, and the
rarer full collections while they are stored and linked."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from wirewatch import gctune


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    """Each test starts from Python's default thresholds; the process's own come back after."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def test_threshold_is_raised_inside_and_restored_after():
    with gctune.young_generation():
        assert gc.get_threshold() == (gctune.YOUNG, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_generators_closing_out_of_order_restore_the_first_threshold():
    def stream():
        with gctune.young_generation():
            yield 1
            yield 2

    a, b = stream(), stream()
    next(a)
    next(b)
    a.close()  # the first to open closes first: the other still runs
    assert gc.get_threshold()[0] == gctune.YOUNG
    b.close()
    assert gc.get_threshold() == (700, 10, 10)


def test_analyser_run_keeps_the_larger_young_generation_while_it_streams():
    from wirewatch.analyse import Analyser
    from wirewatch.model import Article

    arts = [Article(id=f"g{i}", text="Rebels attacked a convoy near Goma.") for i in range(2)]
    seen = [gc.get_threshold()[0] for _ in Analyser().run(arts)]
    assert seen == [gctune.YOUNG, gctune.YOUNG]
    assert gc.get_threshold() == (700, 10, 10)


def test_old_generation_is_collected_less_often_only_where_asked():
    with gctune.young_generation():
        assert gc.get_threshold() == (gctune.YOUNG, 10, 10)
        with gctune.young_generation(old=True):  # a relink inside an ingest
            assert gc.get_threshold() == (gctune.YOUNG, 10, gctune.OLD)
        assert gc.get_threshold() == (gctune.YOUNG, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_relink_runs_with_fewer_full_collections():
    from wirewatch.engine.runners import fewer_collections

    seen = fewer_collections(gc.get_threshold)()
    assert seen == (gctune.YOUNG, 10, gctune.OLD)
    assert gc.get_threshold() == (700, 10, 10)


def test_paused_turns_the_collector_off_and_restores_its_state():
    import gc

    from wirewatch import gctune

    assert gc.isenabled()
    with gctune.paused():
        assert not gc.isenabled()
        with gctune.paused():  # nested: the outer context still restores
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gctune.paused():
            pass
        assert not gc.isenabled()  # a caller's disabled collector stays disabled
    finally:
        gc.enable()
