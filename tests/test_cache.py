"""The pack cache (govrules.cache) serves a pack only for the very same bytes, never a stale one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import govrules
from govrules import PackError, loading
from govrules.cache import load_pack_cached
from govrules.evaluation import default_policies_dir


@pytest.fixture()
def pack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOVRULES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GOVRULES_CACHE", raising=False)
    target = tmp_path / "policies" / "wuxing"
    shutil.copytree(default_policies_dir() / "wuxing", target, ignore=shutil.ignore_patterns("tests"))
    return target


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("load_pack was called although the cache holds these exact bytes")


def test_second_load_comes_from_the_cache_and_equals_the_first(pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_pack_cached(pack_dir)
    assert list((pack_dir.parents[1] / "cache").iterdir())
    monkeypatch.setattr(loading, "load_pack", _refuse)
    second = load_pack_cached(pack_dir)
    assert second is not first
    assert second.content_hash == first.content_hash
    assert second.rules == first.rules
    assert dict(second.provisions) == dict(first.provisions)
    assert type(second.provisions) is type(first.provisions)


def test_any_changed_byte_is_a_miss(pack_dir: Path) -> None:
    load_pack_cached(pack_dir)
    approval = pack_dir / "rules" / "approval.yaml"
    approval.write_text(approval.read_text("utf-8").replace("区大数据局组织初审并形成项目初审意见",
                                                            "区大数据局组织初审并形成项目复审意见"), "utf-8")
    pack = load_pack_cached(pack_dir)
    assert pack.rule("wuxing.review.initial_review").title_zh == "区大数据局组织初审并形成项目复审意见"


def test_a_broken_pack_is_never_cached_and_always_reported(pack_dir: Path) -> None:
    load_pack_cached(pack_dir)
    meta = pack_dir / "pack.yaml"
    meta.write_text(meta.read_text("utf-8").replace("\njurisdiction:\n", "\njurisdicton:\n"), "utf-8")
    for _ in range(2):
        with pytest.raises(PackError, match="jurisdicton"):
            load_pack_cached(pack_dir)


def test_a_corrupt_entry_is_ignored(pack_dir: Path) -> None:
    load_pack_cached(pack_dir)
    for entry in (pack_dir.parents[1] / "cache").iterdir():
        entry.write_bytes(entry.read_bytes()[:200])
    assert load_pack_cached(pack_dir).id == "wuxing"


def test_cache_can_be_turned_off(pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVRULES_CACHE", "0")
    engine = govrules.load(pack_dir.parent)
    assert [p.id for p in engine.packs] == ["wuxing"]
    assert not (pack_dir.parents[1] / "cache").exists()
