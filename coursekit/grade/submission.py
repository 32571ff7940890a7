"""Reading a submission (a folder or a .zip of chapter modules) without trusting it.

Only the modules of the course's chapters are taken (``chN_*.py`` with N a chapter of
coursekit.exercises.CHAPTERS; the exact name ``MODULE.py`` first, else a unique
``chN_*.py``). Files are read without following symbolic links, must be regular files
and at most ``MAX_MODULE_BYTES``; nothing is unpacked to disk. Every problem (a link,
an encrypted or corrupt zip member, an unknown compression method) becomes a line of
the submission's note; :func:`read_submission` never raises.
"""
import os
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from coursekit.exercises.chapters import CHAPTERS
from coursekit.grade.text import clean

_MODULE_NAME = re.compile(r"ch(\d+)_\w*\.py")
MAX_MODULE_BYTES = 1 << 20
MAX_ENTRIES = 10_000            # directory entries or zip members looked at
MAX_ZIP_BYTES = 8 << 20         # a few chapter modules compress to kilobytes
MAX_EXTRA = 128                 # bytes of extra fields of one zip entry (common tools write at most ~40)
MAX_EXTRA_TOTAL = 128 << 10     # ... and of all entries together


def read_source(path, limit=MAX_MODULE_BYTES):
    """The bytes of a submitted file: a regular file, never through a symlink, at most ``limit`` bytes.

    Raises OSError (with a message for the learner) for anything else: a link, a FIFO, a device.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise OSError(f"{Path(path).name} is a symbolic link: submit the file itself") from None
        raise OSError(f"{Path(path).name} could not be read ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{Path(path).name} is not a regular file")
        data = os.read(fd, limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise OSError(f"{Path(path).name} is larger than {limit // 1024} KB")
    return data


def _chapter_of(filename):
    match = _MODULE_NAME.fullmatch(filename)
    return int(match.group(1)) if match and int(match.group(1)) in CHAPTERS else None


def _choose(names, n):
    """The chapter-n module among ``names`` (exact name, else the only chN_*.py), or None."""
    exact = f"{CHAPTERS[n].MODULE}.py"
    if exact in names:
        return exact
    candidates = sorted(name for name in names if _chapter_of(name) == n)
    return candidates[0] if len(candidates) == 1 else None


def _folder_entries(folder):
    """{file name: is a link or not a regular file} of the chapter modules directly in ``folder``."""
    entries = {}
    with os.scandir(folder) as it:
        for i, entry in enumerate(it):
            if i >= MAX_ENTRIES:
                break
            if _chapter_of(entry.name) is not None:
                entries[entry.name] = entry.is_symlink() or not entry.is_file(follow_symlinks=False)
    return entries


def find_modules(folder, numbers):
    """{chapter number: path} of the chapter modules in ``folder`` (links and non-regular files included,
    so that reading them says why they are refused)."""
    try:
        names = _folder_entries(folder)
    except OSError:
        return {}
    found = {n: _choose(names, n) for n in numbers if n in CHAPTERS}
    return {n: Path(folder) / name for n, name in found.items() if name is not None}


def read_submission(path):
    """({chapter number: (file name, bytes)}, note) of the folder or .zip at ``path``."""
    path = Path(path)
    try:
        if path.is_symlink():          # is_dir/is_file follow links: a link could point anywhere
            return {}, clean(f"{path.name} is a symbolic link: submit the folder or .zip itself", 500)
        if path.is_dir():
            return _read_folder(path)
        if path.is_file() and zipfile.is_zipfile(path):
            return _read_zip(path)
    except OSError as exc:
        return {}, clean(f"could not read {path.name}: {exc.strerror or exc}", 500)
    return {}, clean(f"{path} is not a folder or a .zip file", 500)


def _read_folder(folder):
    modules, problems = {}, []
    for n, source in find_modules(folder, sorted(CHAPTERS)).items():
        try:
            modules[n] = (source.name, read_source(source))
        except OSError as exc:
            problems.append(str(exc))
    return modules, clean("; ".join(problems), 1000)


def _member_problem(exc):
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "is encrypted (password-protected): submit a zip made without a password"
    if isinstance(exc, NotImplementedError):
        return f"uses a compression method this grader cannot read ({exc}): use plain zip (deflate)"
    return f"could not be unpacked, the zip file is corrupt ({type(exc).__name__})"


def _zip_entry_count(path):
    """The member count the zip's end record states (read before zipfile loads its whole index);
    None if there is no plain end record (zipfile will say what is wrong)."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - (22 + 0xFFFF)))
        tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    return int.from_bytes(tail[at + 10:at + 12], "little")   # 0xFFFF: a zip64 count follows


def _central_directory_problem(path):
    """Why zipfile should not parse the zip's central directory ("" if it may): more than MAX_ENTRIES
    entries, or more than MAX_EXTRA bytes of extra fields in one entry or MAX_EXTRA_TOTAL in all
    (zipfile parses them field by field: 8 MB of tiny fields cost seconds). Read at linear cost;
    what cannot be read here is left to zipfile, which says what is wrong."""
    with open(path, "rb") as f:
        data = f.read(MAX_ZIP_BYTES + 1)
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - (22 + 0xFFFF)))
    if end < 0 or len(data) < end + 22:
        return ""
    size, offset = int.from_bytes(data[end + 12:end + 16], "little"), int.from_bytes(data[end + 16:end + 20], "little")
    start = end - size
    if (size == 0xFFFFFFFF or offset == 0xFFFFFFFF) and data[end - 20:end - 16] == b"PK\x06\x07":  # zip64
        record = int.from_bytes(data[end - 12:end - 4], "little")
        if data[record:record + 4] != b"PK\x06\x06":
            return ""
        size = int.from_bytes(data[record + 40:record + 48], "little")
        start = record - size
    entries, extra_total, at = 0, 0, max(start, 0)
    while data[at:at + 4] == b"PK\x01\x02" and at + 46 <= len(data):
        name, extra, comment = (int.from_bytes(data[at + k:at + k + 2], "little") for k in (28, 30, 32))
        entries, extra_total = entries + 1, extra_total + extra
        if entries > MAX_ENTRIES:
            return f"holds more than {MAX_ENTRIES:,} files (the limit): submit the chapter modules only"
        if extra > MAX_EXTRA or extra_total > MAX_EXTRA_TOTAL:
            return ("has unusually large extra fields in its directory (more than "
                    f"{MAX_EXTRA} bytes for one file or {MAX_EXTRA_TOTAL // 1024} KB in all): "
                    "zip the chapter modules again with a common zip tool")
        at += 46 + name + extra + comment
    return ""


def _read_zip(path):
    if os.stat(path).st_size > MAX_ZIP_BYTES:
        return {}, f"{path.name} is larger than {MAX_ZIP_BYTES >> 20} MB"
    entries = _zip_entry_count(path)
    if entries is not None and entries > MAX_ENTRIES:
        return {}, f"{path.name} holds {'more than 65,534' if entries == 0xFFFF else entries} files " \
                   f"(the limit is {MAX_ENTRIES:,}): submit the chapter modules only"
    problem = _central_directory_problem(path)
    if problem:
        return {}, clean(f"{path.name} {problem}", 500)
    modules, problems, members = {}, [], {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist()[:MAX_ENTRIES]:
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                if info.is_dir() or not parts or "__MACOSX" in parts or _chapter_of(parts[-1]) is None:
                    continue
                best = members.get(parts[-1])
                if best is None or len(parts) < len(PurePosixPath(best.filename).parts):
                    members[parts[-1]] = info   # the shallowest of each name
            for n in sorted(CHAPTERS):
                name = _choose(members, n)
                if name is None:
                    continue
                info = members[name]
                kind = stat.S_IFMT(info.external_attr >> 16)
                if kind and kind != stat.S_IFREG:
                    problems.append(f"{name} is a symbolic link or special file in the zip: submit the file itself")
                elif info.file_size > MAX_MODULE_BYTES:
                    problems.append(f"{name} is larger than {MAX_MODULE_BYTES // 1024} KB")
                else:
                    try:
                        with archive.open(info) as member:
                            data = member.read(MAX_MODULE_BYTES + 1)
                    except Exception as exc:  # noqa: BLE001 -- zlib.error, LZMAError, BadZipFile, EOFError, ...
                        problems.append(f"{name} {_member_problem(exc)}")
                        continue
                    if len(data) > MAX_MODULE_BYTES:
                        problems.append(f"{name} is larger than {MAX_MODULE_BYTES // 1024} KB")
                    else:
                        modules[n] = (name, data)
    except Exception as exc:  # noqa: BLE001 -- a zip that zipfile cannot even list
        return {}, clean(f"could not read the zip file {path.name}: {_member_problem(exc)}", 500)
    return modules, clean("; ".join(problems), 1000)
