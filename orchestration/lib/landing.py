"""Finding submissions in the landing zone (contract section 2). Never writes to it."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

FORMATS = {".csv": "csv", ".json": "json"}
IGNORED_SUFFIXES = (".tmp", ".part")


@dataclass(frozen=True)
class LandedFile:
    path: Path
    rel_path: str  # POSIX path relative to the landing root
    size: int
    mtime_ns: int

    @property
    def submitter(self) -> str | None:
        """The first folder below the root, or None for a file lying in the root itself."""
        parts = self.rel_path.split("/")
        return parts[0] if len(parts) > 1 else None

    @property
    def format(self) -> str | None:
        return FORMATS.get(Path(self.rel_path).suffix.lower())


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES)


def discover(root: Path) -> list[LandedFile]:
    """Every regular, non-hidden file below `root`, folder by folder (a folder's files,
    sorted, before its sub-folders, sorted). Links are not followed."""
    found: list[LandedFile] = []
    if not root.is_dir():
        return found
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        for name in sorted(filenames):
            if _ignored(name):
                continue
            path = Path(folder) / name
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue  # symbolic links, sockets, pipes
            rel = path.relative_to(root).as_posix()
            found.append(LandedFile(path, rel, info.st_size, info.st_mtime_ns))
    return found


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_of_bytes(data: bytes) -> str:
    """The same identity as sha256_of, for bytes already read."""
    return hashlib.sha256(data).hexdigest()
