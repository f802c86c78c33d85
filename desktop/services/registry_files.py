"""Reading registry files for an import: a file or the members of a zip, in blocks of whole lines,
with progress and cancel across all of them, every failure told as one line naming the file.
"""

from __future__ import annotations

import functools
import lzma
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from desktop.domain.dnc_files import LineTooLong, line_blocks
from desktop.services.imports import ImportCancelled, ImportFailed

_HEAD_BYTES = 64 * 1024

ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes in all)
CancelCheck = Callable[[], bool]


class RegistryImportFailed(ImportFailed):
    """The registry file cannot be imported; nothing was written. The message is one line."""


class RegistryImportCancelled(ImportCancelled):
    """The user cancelled the registry import; the previous copy is unchanged."""


@dataclass(frozen=True)
class Member:
    """One file to read: the file itself, or one member of a zip archive."""

    name: str
    size: int
    open: Callable[[], IO[bytes]]


def members_of(path: Path, stack: ExitStack) -> list[Member]:
    try:
        if zipfile.is_zipfile(path):
            archive = stack.enter_context(zipfile.ZipFile(path))
            members = [
                Member(info.filename, info.file_size, functools.partial(archive.open, info))
                for info in archive.infolist()
                # Folders and the resource forks macOS adds to archives are not lists.
                if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            ]
            if not members:
                raise RegistryImportFailed(f"{path.name}: the zip archive holds no files")
            return members
        size = path.stat().st_size
    except zipfile.BadZipFile as error:
        raise RegistryImportFailed(f"{path.name}: damaged zip archive ({error})") from None
    except OSError as error:
        raise RegistryImportFailed(f"{path}: {error.strerror or error}") from None
    return [Member(path.name, size, lambda: path.open("rb"))]


# What reading a damaged zip member raises: zipfile's own errors, a truncated stream, "encrypted" and
# "compression method not supported", and the decompressors' errors (zlib.error: "invalid stored
# block lengths", LZMAError) that zipfile lets through.
_DAMAGED_MEMBER: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    lzma.LZMAError,
)
_UNREADABLE_MEMBER: tuple[type[BaseException], ...] = (*_DAMAGED_MEMBER, OSError)


def read_head(member: Member) -> bytes:
    try:
        with member.open() as stream:
            return stream.read(_HEAD_BYTES)
    # zipfile says "encrypted, password required" with RuntimeError and "compression method not
    # supported" with NotImplementedError: for the user both mean the member cannot be read.
    except _UNREADABLE_MEMBER as error:
        raise RegistryImportFailed(f"{member.name}: cannot be read ({error})") from None


class Progress:
    """Progress and cancel across the files of one import."""

    def __init__(self, total: int, progress: ProgressCallback | None, cancelled: CancelCheck | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self._progress = progress
        self._cancelled = cancelled

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise RegistryImportCancelled("registry import cancelled; the previous copy is unchanged")

    def read(self, size: int) -> None:
        self.done += size

    def step(self) -> None:
        self.check()
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)


def _guarded(read: Callable[[int], bytes], name: str, progress: Progress) -> Callable[[int], bytes]:
    """`read` that counts the bytes for progress and tells its failures as the file's problem."""

    def guarded(size: int) -> bytes:
        try:
            data = read(size)
            progress.read(len(data))
            return data
        except _DAMAGED_MEMBER as error:
            raise RegistryImportFailed(f"{name}: damaged zip member ({error})") from None
        except OSError as error:
            raise RegistryImportFailed(f"{name}: {error.strerror or error}") from None

    return guarded


def blocks(member: Member, progress: Progress) -> Iterator[bytes]:
    try:
        stream = member.open()
    except _UNREADABLE_MEMBER as error:
        raise RegistryImportFailed(f"{member.name}: cannot be read ({error})") from None
    with stream:
        try:
            for block in line_blocks(_guarded(stream.read, member.name, progress)):
                progress.step()
                yield block
        except LineTooLong as error:
            raise RegistryImportFailed(f"{member.name}: {error}; not a do-not-call list") from None
