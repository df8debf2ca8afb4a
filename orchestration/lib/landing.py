"""Finding submissions in the landing zone (contract section 2). Never writes to it.

Whatever the landing zone holds must not stop a refresh: a name that is not UTF-8, a
path longer than the system allows, a folder that cannot be listed, a file without read
permission, a file renamed or replaced by a pipe between two steps. Listing reports
what it could not list instead of raising, and every read opens the file without
following links or blocking, and checks that it is still a regular file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.lib.rules import FileRejected

FORMATS = {".csv": "csv", ".json": "json"}
IGNORED_SUFFIXES = (".tmp", ".part")
CHUNK_BYTES = 1 << 20


class LandingZoneMissing(RuntimeError):
    """DIGIMETRICS_SOURCES_DIR is not a folder: nothing can be told apart from 'no files'."""


class NotARegularFile(OSError):
    """The path no longer names a regular file (it became a link, a pipe, a folder)."""


@dataclass(frozen=True)
class LandedFile:
    path: Path  # the path to open
    rel_path: str  # POSIX path relative to the landing root, as text (shown, stored)
    size: int
    mtime_ns: int
    # the relative path's bytes when they are not valid UTF-8 (rel_path then shows them
    # escaped, so it cannot be opened); None for every ordinary name
    path_bytes: bytes | None = None

    @property
    def submitter(self) -> str | None:
        """The first folder below the root, or None for a file lying in the root itself."""
        return submitter_of(self.rel_path)

    @property
    def format(self) -> str | None:
        return format_of(self.rel_path)


@dataclass(frozen=True)
class Unlisted:
    """A path found in the landing zone that cannot be read or listed, and why."""

    rel_path: str
    message: str


@dataclass
class Listing:
    files: list[LandedFile] = field(default_factory=list)
    unreadable: list[Unlisted] = field(default_factory=list)
    folders: set[str] = field(default_factory=set)  # listed, as "<rel path>/"


def format_of(rel_path: str) -> str | None:
    return FORMATS.get(Path(rel_path).suffix.lower())


def submitter_of(rel_path: str) -> str | None:
    parts = rel_path.split("/")
    return parts[0] if len(parts) > 1 else None


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES)


def shown_path(rel: str) -> tuple[str, bytes | None]:
    """The text of a relative path, and its bytes when they are not valid UTF-8 (the
    text then writes the bad bytes as \\xNN escapes)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(rel)
        return raw.decode("utf-8", "backslashreplace"), raw
    return rel, None


def open_path(root: Path, rel_path: str, path_bytes: bytes | None) -> Path:
    """The path to open for a file the ledger recorded."""
    return root / (os.fsdecode(path_bytes) if path_bytes is not None else rel_path)


def read_error_message(err: OSError, what: str = "file") -> str:
    """Why a path could not be read, for the province and the operator."""
    if isinstance(err, NotARegularFile):
        return f"the {what} is no longer a regular file (a link, pipe or folder now has its name)"
    if isinstance(err, FileNotFoundError | NotADirectoryError):
        return (
            f"the {what} was removed or renamed before it could be read; a renamed file is "
            "read under its new name"
        )
    if isinstance(err, PermissionError):
        return (
            f"the pipeline is not allowed to read this {what} (permission denied); give the "
            "pipeline's user read access"
        )
    if err.errno == errno.ENAMETOOLONG:
        return (
            f"the {what}'s path is longer than this system allows (PATH_MAX, "
            f"{os.pathconf('/', 'PC_PATH_MAX'):,} bytes, or 255 bytes for one name); use "
            "shorter folder and file names"
        )
    if err.errno == errno.ELOOP:
        return f"the {what} is now a symbolic link, which is never followed"
    return f"the {what} could not be read ({err.strerror or err})"


def _relative(root: Path, path: str) -> str:
    rel = os.path.relpath(path, root)
    return shown_path(Path(rel).as_posix())[0]


def scan(root: Path) -> Listing:
    """Every regular, non-hidden file below `root`, folder by folder (a folder's files,
    sorted, before its sub-folders, sorted), and every path that could not be listed.
    Links are not followed. Raises LandingZoneMissing when `root` is not a folder."""
    if not root.is_dir():
        raise LandingZoneMissing(
            f"the landing zone {root} (DIGIMETRICS_SOURCES_DIR) does not exist or is not a "
            "folder: create it, or point DIGIMETRICS_SOURCES_DIR at the folder provinces "
            "submit to; nothing was read or published"
        )
    listing = Listing()

    def unlisted(err: OSError) -> None:
        if os.path.samefile(err.filename, root) if os.path.exists(err.filename) else False:
            raise LandingZoneMissing(
                f"the landing zone {root} cannot be listed: {read_error_message(err, 'folder')}"
            ) from err
        listing.unreadable.append(
            Unlisted(_relative(root, err.filename) + "/", read_error_message(err, "folder")
                     + "; none of its files could be read")
        )  # fmt: skip

    for folder, dirnames, filenames in os.walk(root, onerror=unlisted, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        listing.folders.add(_relative(root, folder) + "/")
        for name in sorted(filenames):
            if _ignored(name):
                continue
            path = Path(folder) / name
            rel, path_bytes = shown_path(path.relative_to(root).as_posix())
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue  # gone since the folder was listed: nothing is there to read
            except OSError as err:
                listing.unreadable.append(Unlisted(rel, read_error_message(err)))
                continue
            if not stat.S_ISREG(info.st_mode):
                continue  # symbolic links, sockets, pipes
            listing.files.append(LandedFile(path, rel, info.st_size, info.st_mtime_ns, path_bytes))
    return listing


def discover(root: Path) -> list[LandedFile]:
    """The readable files of scan(root)."""
    return scan(root).files


@contextmanager
def open_regular(path: Path) -> Iterator[tuple[int, os.stat_result]]:
    """A descriptor on `path` and its status, when it is still a regular file: never
    follows a link, never blocks on a pipe that took the file's name."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(errno.EINVAL, "not a regular file", str(path))
        yield fd, info
    finally:
        os.close(fd)


def sha256_of(path: Path, chunk_size: int = CHUNK_BYTES) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as (fd, _):
        while chunk := os.read(fd, chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def read_submission(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; FileRejected('file_too_large') without reading a larger file."""
    with open_regular(path) as (fd, info):
        if info.st_size > max_bytes:
            raise FileRejected("file_too_large", too_large_message(info.st_size, max_bytes))
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read()


def too_large_message(size: int, max_bytes: int) -> str:
    return f"the file has {size:,} bytes, over the limit of {max_bytes:,} bytes; split it"


def sha256_of_bytes(data: bytes) -> str:
    """The same identity as sha256_of, for bytes already read."""
    return hashlib.sha256(data).hexdigest()
