"""The pipeline's exceptions: one base, a few kinds a caller can tell apart."""

import errno
import os


class PipelineError(Exception):
    """Anything the pipeline reports to a host instead of a traceback."""


class ConfigError(PipelineError):
    """A podcast.toml or episode.toml that cannot be used; the message names file and field."""


class MissingToolError(PipelineError):
    """ffmpeg or a model is not where it should be."""


class AudioDecodeError(PipelineError):
    """ffmpeg could not read or process a recording."""


class StageError(PipelineError):
    """A stage failed for a reason of its own (for example, loudness out of tolerance)."""


class StorageError(PipelineError):
    """The disk is full or the output folder read-only: every episode would fail the same way,
    so the build stops there (a feed written without them would unpublish them)."""


# The errors that say the output cannot be written at all, whatever the episode (errno(3)).
_FULL = "no space left on the disk (disk full)"
STORAGE_ERRNOS = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: "disk quota exceeded: no space left for this user (disk full)",
    errno.EFBIG: "no space for it: the file is larger than this process may write (a file size limit, 'ulimit -f')",
    errno.EROFS: "the file system is read-only",
}
# Refused for this path only (root is not refused, another user may be): one stage fails.
DENIED_ERRNOS = {errno.EACCES: "permission denied", errno.EPERM: "operation not permitted"}
AFTER = "what was published before is unchanged; fix this and run 'podcast build' again"


def storage_error(e: OSError, path: object = None) -> PipelineError | None:
    """A clear error for an OSError that a disk or a folder's permissions caused, naming `path`
    (else the file the error names); None for any other OSError. A StorageError stops the build; a
    denied permission fails one stage only."""
    where = path if path is not None else (e.filename2 or e.filename)  # a copy's or a rename's target is written
    prefix = f"{where}: " if where is not None else ""
    if e.errno in STORAGE_ERRNOS:
        return StorageError(f"{prefix}cannot write: {STORAGE_ERRNOS[e.errno]}; {AFTER}")
    if e.errno in DENIED_ERRNOS:
        return PipelineError(f"{prefix}{DENIED_ERRNOS[e.errno]}; let this user read and write it, then build again")
    return None


def storage_error_in(text: str, path: object) -> StorageError | None:
    """The StorageError a tool's log tells of (ffmpeg prints strerror's words), naming `path`; or None."""
    for number, reason in STORAGE_ERRNOS.items():
        if os.strerror(number) in text:
            return StorageError(f"{path}: cannot write: {reason}; {AFTER}")
    return None


class BuildLocked(PipelineError):
    """Another build holds the show's lock (`podcast watch` waits for it and tries again)."""
