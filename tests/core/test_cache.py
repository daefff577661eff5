"""The shared results cache: LRU bound, disk persistence, concurrent identical requests."""

from __future__ import annotations

import json
import threading
import time

import numpy as np

from core.cache import ResultCache, Serializer, fingerprint_array, make_key

JSON = Serializer(
    save=lambda value, path: (path / "v.json").write_text(json.dumps(value)),
    load=lambda path: json.loads((path / "v.json").read_text()),
)


def test_lru_keeps_only_the_newest(isolated_cache):
    cache = ResultCache("t", max_items=2)
    for k in "abc":
        cache.get_or_compute(k, lambda k=k: k.upper())
    assert len(cache) == 2
    assert cache.peek("a") is None
    assert cache.peek("c") == "C"


def test_second_request_is_a_hit(isolated_cache):
    cache = ResultCache("t")
    calls = []
    first = cache.get_or_compute("k", lambda: calls.append(1) or 42)
    second = cache.get_or_compute("k", lambda: calls.append(1) or 43)
    assert first == (42, False)
    assert second == (42, True)
    assert calls == [1] and cache.computed == 1


def test_use_cache_false_always_computes(isolated_cache):
    cache = ResultCache("t")
    cache.get_or_compute("k", lambda: 1)
    assert cache.get_or_compute("k", lambda: 2, use_cache=False) == (2, False)


def test_disk_survives_a_new_process_object(isolated_cache):
    ResultCache("t", serializer=JSON).get_or_compute("k", lambda: {"rmse": 1.5})
    fresh = ResultCache("t", serializer=JSON)  # as after a restart: empty memory
    assert fresh.get_or_compute("k", lambda: {"rmse": 9.9}) == ({"rmse": 1.5}, True)
    assert fresh.computed == 0


def test_damaged_disk_entry_is_recomputed(isolated_cache):
    ResultCache("t", serializer=JSON).get_or_compute("k", lambda: [1])
    (isolated_cache / "t" / "k" / "v.json").write_text("{not json")
    assert ResultCache("t", serializer=JSON).get_or_compute("k", lambda: [2]) == ([2], False)


def test_concurrent_identical_requests_compute_once(isolated_cache):
    cache = ResultCache("t")
    results = []

    def slow():
        time.sleep(0.2)
        return "done"

    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("same", slow))) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert cache.computed == 1
    assert sorted(cached for _, cached in results) == [False, True, True, True]


def test_keys_and_fingerprints_are_stable_and_sensitive():
    a = np.arange(5.0)
    assert fingerprint_array(a) == fingerprint_array(a.copy())
    assert fingerprint_array(a) != fingerprint_array(a + 1e-9)
    assert make_key("x", 1, (2, 3)) == make_key("x", 1, (2, 3))
    assert make_key("x", 1) != make_key("x", 2)
