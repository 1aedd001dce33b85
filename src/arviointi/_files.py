"""One way to write a file so that an interrupted run never leaves it half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_output(path: Path, *, private: bool = False) -> Iterator[IO[bytes]]:
    """A binary file handle whose contents replace ``path`` only when the block finishes.

    The data goes to a temporary file in the same folder, which is renamed into place
    (``os.replace``, atomic on one file system) or removed if anything goes wrong — so
    readers see the old file or the new one, never a part. Creating the temporary file
    happens on entering the block, before the body runs. The file gets the permissions a
    newly created file would (the umask decides), or owner-only ones with ``private=True``.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
