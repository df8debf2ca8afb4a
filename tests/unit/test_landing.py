"""Unit tests for orchestration.lib.landing (contract section 2, landing zone)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from orchestration.lib.landing import LandedFile, LandingZoneMissing, discover, sha256_of


def write(path: Path, data: bytes | str = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    outside = tmp_path / "outside"
    write(outside / "x.csv", b"outside")
    # kept
    write(root / "VN-36" / "2024" / "q1" / "a.csv", b"abc")
    write(root / "VN-36" / "b.JSON", b"[]")
    write(root / "VN-36" / "c.Csv", b"c")
    write(root / "VN-36" / "readme.txt", b"r")
    write(root / "MN" / "g.csv", b"g")
    write(root / "top.csv", b"t")
    # ignored: hidden files and folders, temporary and partial files
    write(root / "VN-36" / ".hidden.csv")
    write(root / ".hidden-top.json")
    write(root / ".git" / "e.csv")
    write(root / "MN" / ".cache" / "f.csv")
    write(root / ".VN-34" / "h.csv")
    write(root / "VN-36" / "c.csv.tmp")
    write(root / "VN-36" / "c.csv.TMP")
    write(root / "VN-36" / "d.csv.part")
    write(root / "VN-36" / "d.csv.PART")
    write(root / "VN-36" / "e.Part")
    write(root / "VN-36" / "f.tmp")
    # ignored: symbolic links to files and folders, inside and outside the root, broken ones
    (root / "MN" / "link.csv").symlink_to(tmp_path / "outside" / "x.csv")
    (root / "MN" / "inner-link.csv").symlink_to(root / "MN" / "g.csv")
    (root / "MN" / "broken.csv").symlink_to(tmp_path / "nowhere.csv")
    (root / "MN" / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "VN-99").symlink_to(root / "VN-36", target_is_directory=True)
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "MN" / "fifo.csv")
    return root


EXPECTED = {
    # rel_path: (submitter, format, size)
    "top.csv": (None, "csv", 1),
    "MN/g.csv": ("MN", "csv", 1),
    "VN-36/b.JSON": ("VN-36", "json", 2),
    "VN-36/c.Csv": ("VN-36", "csv", 1),
    "VN-36/readme.txt": ("VN-36", None, 1),
    "VN-36/2024/q1/a.csv": ("VN-36", "csv", 3),
}


def test_discover_finds_exactly_the_regular_visible_files(landing: Path):
    found = discover(landing)
    assert sorted(f.rel_path for f in found) == sorted(EXPECTED)
    for f in found:
        submitter, file_format, size = EXPECTED[f.rel_path]
        assert f.submitter == submitter
        assert f.format == file_format
        assert f.size == size
        assert f.path == landing / Path(f.rel_path)
        assert f.mtime_ns == f.path.stat().st_mtime_ns


def test_discover_returns_posix_relative_paths(landing: Path):
    for f in discover(landing):
        assert "\\" not in f.rel_path
        assert not f.rel_path.startswith("/")
        assert Path(f.rel_path).as_posix() == f.rel_path


def test_discover_is_deterministic_and_sorted_within_a_folder(landing: Path):
    first = [f.rel_path for f in discover(landing)]
    assert first == [f.rel_path for f in discover(landing)]
    vn36_top = [p for p in first if p.startswith("VN-36/") and p.count("/") == 1]
    assert vn36_top == ["VN-36/b.JSON", "VN-36/c.Csv", "VN-36/readme.txt"]


def test_discover_never_writes(landing: Path):
    def snapshot() -> dict[str, tuple[int, int]]:
        return {
            str(p): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(landing.rglob("*"))
        }

    before = snapshot()
    discover(landing)
    assert snapshot() == before


@pytest.mark.parametrize("name", ["missing", "file.csv"])
def test_a_missing_root_or_a_file_is_an_error_not_an_empty_zone(tmp_path: Path, name: str):
    """A mistyped DIGIMETRICS_SOURCES_DIR must not look like a quiet day with no files."""
    write(tmp_path / "file.csv")
    with pytest.raises(LandingZoneMissing, match="DIGIMETRICS_SOURCES_DIR"):
        discover(tmp_path / name)


def test_discover_empty_root(tmp_path: Path):
    assert discover(tmp_path) == []


@pytest.mark.parametrize(
    ("rel_path", "submitter", "file_format"),
    [
        ("VN-36/a.csv", "VN-36", "csv"),
        ("VN-36/x/y/z.JSON", "VN-36", "json"),
        ("MN/a.CSV", "MN", "csv"),
        ("a.csv", None, "csv"),
        ("VN-36/a.xlsx", "VN-36", None),
        ("VN-36/a.csv.gz", "VN-36", None),
        ("VN-36/noext", "VN-36", None),
    ],
)
def test_landed_file_properties(rel_path, submitter, file_format):
    landed = LandedFile(Path("/root") / rel_path, rel_path, 0, 0)
    assert landed.submitter == submitter
    assert landed.format == file_format


@pytest.mark.parametrize(
    ("data", "chunk_size"),
    [
        (b"", 1),
        (b"", 1 << 20),
        (b"abc", 1),
        (b"abc", 2),
        (b"abc", 1 << 20),
        (b"x" * 1000, 7),
        (bytes(range(256)) * 5000, 4096),  # several chunks and a partial last one
        (bytes(range(256)) * 5000, 1 << 20),
    ],
)
def test_sha256_of(tmp_path: Path, data: bytes, chunk_size: int):
    path = write(tmp_path / "f.csv", data)
    assert sha256_of(path, chunk_size=chunk_size) == hashlib.sha256(data).hexdigest()


def test_sha256_known_values(tmp_path: Path):
    assert (
        sha256_of(write(tmp_path / "abc", b"abc"))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert (
        sha256_of(write(tmp_path / "empty", b""))
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_same_bytes_under_another_name_have_the_same_hash(tmp_path: Path):
    a = write(tmp_path / "VN-36" / "a.csv", "region\nVN-36\n")
    b = write(tmp_path / "VN-36" / "copy" / "b.csv", "region\nVN-36\n")
    c = write(tmp_path / "VN-36" / "c.csv", "region\nVN-34\n")
    assert sha256_of(a) == sha256_of(b) != sha256_of(c)
