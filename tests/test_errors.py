"""What a host reads when the disk or a folder's permissions stop a write: the file it names."""

from __future__ import annotations

import errno

from pipeline.errors import PipelineError, StorageError, storage_error

AFTER = "what was published before is unchanged; fix this and run 'podcast build' again"


def test_a_full_disk_names_the_file_the_error_names():
    error = storage_error(OSError(errno.ENOSPC, "No space left on device", "/show/public/001.mp3"))
    assert isinstance(error, StorageError)
    assert str(error) == f"/show/public/001.mp3: cannot write: no space left on the disk (disk full); {AFTER}"


def test_a_rename_names_its_target_the_file_written():
    error = storage_error(OSError(errno.EROFS, "Read-only file system", "/show/.build/x.tmp", None, "/show/public/feed.xml"))
    assert str(error) == f"/show/public/feed.xml: cannot write: the file system is read-only; {AFTER}"


def test_the_path_given_wins_over_the_one_the_error_names():
    error = storage_error(OSError(errno.EACCES, "Permission denied", "/tmp/x"), "/show/public")
    assert type(error) is PipelineError
    assert str(error) == "/show/public: permission denied; let this user read and write it, then build again"


def test_an_error_naming_no_file_says_none():
    assert str(storage_error(OSError(errno.EDQUOT, "Disk quota exceeded"))) == (
        f"cannot write: disk quota exceeded: no space left for this user (disk full); {AFTER}"
    )


def test_another_os_error_is_no_storage_error():
    assert storage_error(OSError(errno.ENOENT, "No such file or directory", "/x")) is None
