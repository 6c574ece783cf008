"""Writing files so that a reader never sees half of one (temp file + rename), checking an
output folder before work starts, and tying helper processes to the process that started them.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)

#: Free space an output folder must have before a note is rendered (a note's HTML, PDF,
#: notebook and JSON are about 2 MB; the margin covers the overview and the temp copies).
MIN_FREE_BYTES = 50 * 1024 * 1024

_REASONS = {
    errno.ENOSPC: "disken er fuld",
    errno.EDQUOT: "diskkvoten er brugt op",
    errno.EROFS: "filsystemet er skrivebeskyttet",
    errno.EACCES: "ingen skriveadgang",
    errno.EPERM: "ingen skriveadgang",
    errno.ENOTDIR: "en del af stien er en fil, ikke en mappe",
    errno.EEXIST: "findes allerede som fil",
}


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def reason(e: OSError) -> str:
    """A Danish reason for an OS error (the C library's text when we have no better). A
    reason opkval wrote itself ("der er kun 3 MB fri; der skal være mindst 50 MB") is kept:
    only the C library's own text is replaced."""
    if e.strerror and e.errno is not None and e.strerror != os.strerror(e.errno):
        return e.strerror
    return _REASONS.get(e.errno, e.strerror or type(e).__name__)


@contextlib.contextmanager
def output_lock(out_dir: Path):
    """Hold an exclusive lock on the output folder (created if need be) while a command
    writes to it: ``make report`` during ``make reports`` into the same folder is refused at
    once (OSError EBUSY naming the folder) instead of mixing two runs' files. The lock is
    ``flock`` on the folder itself: no lock file, and it ends with the process however the
    process ends (also SIGKILL)."""
    import fcntl

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_CLOEXEC)
    except OSError as e:
        raise named(e, out_dir) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OSError(errno.EBUSY, "mappen skrives af en anden opkval-kørsel lige nu (fx "
                          "make reports); vent til den er færdig, eller brug en anden OUT",
                          str(out_dir)) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def named(e: OSError, path: Path) -> OSError:
    """The same error naming `path` (not the temp file it happened on)."""
    return OSError(e.errno, reason(e), str(path))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temp file in the same folder and an atomic rename.

    An OSError names `path` (the file meant), never the temp name."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise named(e, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise named(e, path) from None
        raise


def check_output_dir(out_dir: Path, need_bytes: int = MIN_FREE_BYTES) -> None:
    """The output folder is a writable folder (a file is made and removed in it) or can be
    created (its nearest existing parent is a writable folder; nothing is created here), with
    `need_bytes` free. Raises OSError naming the folder and the cause."""
    out_dir = Path(out_dir).absolute()
    existing = out_dir
    while not existing.exists() and existing != existing.parent:
        if existing.is_symlink():  # a dangling link
            raise OSError(errno.ENOENT, "er et link til noget, der ikke findes", str(existing))
        existing = existing.parent
    if not existing.is_dir():
        raise OSError(errno.ENOTDIR, "findes, men er ikke en mappe"
                      if existing == out_dir else f"{existing} er en fil, ikke en mappe",
                      str(out_dir))
    if existing == out_dir:
        try:
            fd, probe = tempfile.mkstemp(dir=out_dir, prefix=".opkval-skrivetest.")
            os.close(fd)
            os.unlink(probe)
        except OSError as e:
            raise named(e, out_dir) from None
    elif not os.access(existing, os.W_OK | os.X_OK):
        raise OSError(errno.EACCES, f"kan ikke oprettes: ingen skriveadgang til {existing}",
                      str(out_dir))
    free = shutil.disk_usage(existing).free
    if free < need_bytes:
        raise OSError(errno.ENOSPC, f"der er kun {free // (1024 * 1024)} MB fri; der skal "
                      f"være mindst {need_bytes // (1024 * 1024)} MB", str(out_dir))


def move(src: Path, dst: Path) -> None:
    """Rename, or copy and delete when `dst` is on another file system."""
    try:
        os.replace(src, dst)
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
        shutil.move(str(src), str(dst))


# ------------------------------------------------------------------------- processes

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send `sig` to this process when its parent ends, however it ends.

    Used in kernels (as ``preexec_fn``) and in batch workers, so a SIGKILL of ``opkval``
    leaves no worker or kernel behind. Elsewhere (not Linux) it does nothing."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        parent = os.getppid()
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the request was made
            os.kill(os.getpid(), sig)


def pid_alive(pid: int) -> bool:
    """Whether a process runs. A zombie (ended, not yet reaped: its parent was killed and no
    init reaps it here) has ended: its temp folders may go."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: trust kill(0)
    return state != "Z"


# ------------------------------------------------------------------------- git, neutered

#: Settings given on git's command line, which win over any configuration file: nothing a
#: repository's own ``.git/config`` (or an included file) names is run. A plan folder received
#: from outside, with its ``.git``, may carry ``gpg.program`` with ``log.showSignature``,
#: ``core.fsmonitor``, ``diff.external``, a pager or a textconv driver.
GIT_OVERRIDES = (
    "core.fsmonitor=false", "core.hooksPath=/dev/null", "core.pager=cat",
    "core.sshCommand=false", "core.askPass=false", "core.editor=false",
    "core.alternateRefsCommand=false", "core.untrackedCache=false",
    "gpg.program=false", "gpg.openpgp.program=false", "gpg.ssh.program=false",
    "gpg.x509.program=false", "log.showSignature=false", "diff.external=",
    "diff.noprefix=false", "pager.log=false", "pager.show=false", "pager.cat-file=false",
    "protocol.allow=never", "credential.helper=", "uploadpack.packObjectsHook=",
    "color.ui=false", "i18n.logOutputEncoding=UTF-8", "log.decorate=false",
)


def git_safely(cwd: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run ``git -C cwd <args>`` so that no configuration can make it execute anything: no
    system or user configuration (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null, HOME an
    empty folder), no GIT_* from the environment (GIT_DIR, GIT_CONFIG_COUNT, GIT_EXEC_PATH ...),
    and :data:`GIT_OVERRIDES` on the command line over the repository's own configuration.
    Use plumbing (``rev-list``, ``cat-file``) with it: no textconv, no signature check, no pager.
    ``safe.directory`` is left as git has it: a repository another user owns is refused."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") and k not in ("HOME", "XDG_CONFIG_HOME", "PAGER",
                                                     "EDITOR", "VISUAL", "SSH_ASKPASS",
                                                     "PREFIX")}
    with tempfile.TemporaryDirectory(prefix="opkval-git-home-") as home:
        env.update({"HOME": home, "XDG_CONFIG_HOME": home, "GIT_CONFIG_NOSYSTEM": "1",
                    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
                    "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_ASKPASS": "false",
                    "GIT_ATTR_NOSYSTEM": "1", "GIT_NO_REPLACE_OBJECTS": "1",
                    "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
        cmd = ["git", "--no-pager"]
        for o in GIT_OVERRIDES:
            cmd += ["-c", o]
        return subprocess.run([*cmd, "-C", str(cwd), *args], capture_output=True,
                              timeout=timeout, env=env, stdin=subprocess.DEVNULL)


class DatedZipFile(zipfile.ZipFile):
    """A zip file written with every entry dated `when` (UTC), not the time of writing, and
    no file-system attributes: the same content gives the same bytes in every build (the
    Word files and the overview's workbook; ``SOURCE_DATE_EPOCH`` sets `when`). Entries whose
    names end in one of `stored` (pictures, compressed already) are stored as they are."""

    def __init__(self, file, when: dt.datetime, stored: tuple[str, ...] = (".png", ".jpeg")):
        if when.tzinfo is None:  # a naive time would be read in the machine's zone
            raise ValueError("DatedZipFile: when skal have en tidszone")
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._stamp = max(when.astimezone(dt.UTC).replace(tzinfo=None),
                          dt.datetime(1980, 1, 1)).timetuple()[:6]
        self._stored = stored

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        name = (zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo)
                else zinfo_or_arcname)
        zi = zipfile.ZipInfo(name, date_time=self._stamp)
        zi.compress_type = (zipfile.ZIP_STORED if name.endswith(self._stored)
                            else zipfile.ZIP_DEFLATED)
        zi.create_system = 0
        zi.external_attr = 0
        super().writestr(zi, data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        """A file from disk (openpyxl writes its sheets to temp files) as a dated entry."""
        self.writestr(arcname or os.path.basename(filename), Path(filename).read_bytes())
