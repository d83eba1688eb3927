"""Where a batch's files live: the uploads until read, then the drawn-over photos and crops.

Through the app's store (`planner.storage`: a folder, or the database every server shares with
`PLANNER_STORAGE=database`), so a photo uploaded to one server is read by an RQ worker on
another and shown by a third. Keys are `readback/<batch id>/<name>`; the store cannot list,
so deleting a batch's personal data deletes every name the batch can have written (its
uploads, names, drawn-over pages and row crops).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import cv2
import numpy as np

from planner.storage import store

if TYPE_CHECKING:
    from planner.readback.models import ReadingBatch

SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9\-]{0,60}\.(jpg|bin)$")


def key(batch_id: str, name: str) -> str:
    """The store key of one of a batch's files."""
    return f"readback/{batch_id}/{name}"


def save_upload(batch_id: str, index: int, content: bytes) -> None:
    store().put(key(batch_id, f"upload-{index}.bin"), content)


def read_upload(batch_id: str, index: int) -> bytes:
    """The `index`th upload's bytes; FileNotFoundError once dropped (the job then fails)."""
    content = store().get(key(batch_id, f"upload-{index}.bin"))
    if content is None:
        raise FileNotFoundError(key(batch_id, f"upload-{index}.bin"))
    return content


def drop_uploads(batch_id: str, count: int) -> None:
    """The uploads once read: only the drawn-over copy and the crops are kept for the review."""
    for index in range(count):
        store().delete(key(batch_id, f"upload-{index}.bin"))


def save_names(batch_id: str, names: list[str]) -> None:
    """The uploads' file names, in order (named in the outcomes of pages not read)."""
    store().put(key(batch_id, "names.txt"), "\n".join(names).encode("utf-8"))


def read_names(batch_id: str) -> list[str]:
    content = store().get(key(batch_id, "names.txt"))
    return content.decode("utf-8").splitlines() if content else []


def save_jpeg(batch_id: str, name: str, image: np.ndarray, quality: int = 80) -> None:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if ok:
        store().put(key(batch_id, name), encoded.tobytes())


def read_image(batch_id: str, name: str) -> bytes | None:
    """A stored JPEG of the batch, or None (unknown names and uploads are never served)."""
    if not SAFE_NAME.match(name) or name.endswith(".bin"):
        return None
    return store().get(key(batch_id, name))


def has_image(batch_id: str, name: str) -> bool:
    return SAFE_NAME.match(name) is not None and store().exists(key(batch_id, name))


def delete_batch_files(batch: ReadingBatch) -> None:
    """Every file the batch may have: uploads, names, each read page's picture and row crops."""
    drop_uploads(batch.id, batch.total)
    store().delete(key(batch.id, "names.txt"))
    for reading in batch.pages:
        store().delete(key(batch.id, f"page-{reading.id}.jpg"))
        for row in reading.rows:
            store().delete(key(batch.id, f"row-{reading.id}-{row['row']}.jpg"))
