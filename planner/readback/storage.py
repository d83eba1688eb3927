"""Where a batch's files live: the uploads until read, then the drawn-over photos and crops.

One directory per batch under PLANNER_READBACK_DIR (default: beside the PDF cache), so deleting
a batch's personal data is deleting one directory.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import cv2
import numpy as np
from flask import current_app

SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9\-]{0,60}\.(jpg|bin)$")


def root() -> Path:
    """PLANNER_READBACK_DIR, else a `readback` folder beside the PDF cache (instance/)."""
    config = current_app.config
    configured = config.get("PLANNER_READBACK_DIR") or config.get("READBACK_DIR")
    if configured:
        return Path(configured)
    cache = config.get("PLANNER_CACHE_DIR") or config.get("CACHE_DIR")
    base = Path(cache).parent if cache else Path(current_app.instance_path)
    return base / "readback"


def batch_dir(batch_id: str) -> Path:
    return root() / batch_id


def save_upload(batch_id: str, index: int, content: bytes) -> None:
    path = batch_dir(batch_id)
    path.mkdir(parents=True, exist_ok=True)
    (path / f"upload-{index}.bin").write_bytes(content)


def read_upload(batch_id: str, index: int) -> bytes:
    return (batch_dir(batch_id) / f"upload-{index}.bin").read_bytes()


def drop_uploads(batch_id: str) -> None:
    """The uploads once read: only the drawn-over copy and the crops are kept for the review."""
    for path in batch_dir(batch_id).glob("upload-*.bin"):
        path.unlink(missing_ok=True)


def save_jpeg(batch_id: str, name: str, image: np.ndarray, quality: int = 80) -> None:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if ok:
        path = batch_dir(batch_id)
        path.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(encoded.tobytes())


def file_path(batch_id: str, name: str) -> Path | None:
    """A stored image of the batch, or None (unknown names never reach the file system)."""
    if not SAFE_NAME.match(name) or name.endswith(".bin"):
        return None
    path = batch_dir(batch_id) / name
    return path if path.is_file() else None


def delete_batch_files(batch_id: str) -> None:
    shutil.rmtree(batch_dir(batch_id), ignore_errors=True)
