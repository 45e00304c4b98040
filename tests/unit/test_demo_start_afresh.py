"""A new demo run starts from empty databases, keys and documents, but keeps each node's HS index:
the same every run, and minutes of one core to build again."""

from __future__ import annotations

from pathlib import Path

from corridor.demo.run import start_afresh


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_new_run_removes_the_last_one_but_keeps_each_nodes_hs_index(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    index = demo / "IN" / "hs-index" / "key"
    index.mkdir(parents=True)
    (index / "subheadings.npy").write_bytes(b"vectors")
    (demo / "IN" / "corridor.sqlite").write_bytes(b"last run")
    (demo / "IN" / "keys").mkdir()
    (demo / "IN" / "keys" / "signing.key").write_bytes(b"secret")
    (demo / "RU" / "documents").mkdir(parents=True)
    (demo / "notes.txt").write_text("last run", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "hs-index").mkdir(parents=True)
    (demo / "linked").symlink_to(elsewhere, target_is_directory=True)

    start_afresh(demo)

    assert _tree(demo) == ["IN", "IN/hs-index", "IN/hs-index/key", "IN/hs-index/key/subheadings.npy"]
    assert (index / "subheadings.npy").read_bytes() == b"vectors"
    assert (elsewhere / "hs-index").is_dir()  # a link is removed, never followed


def test_a_missing_folder_is_left_to_be_made(tmp_path: Path) -> None:
    start_afresh(tmp_path / "none")
    assert not (tmp_path / "none").exists()
