"""The OCR engine: RapidOCR on ONNX Runtime, its Chinese and English models from the wheel.

Loaded once per process, on first use, behind a lock. The model files are the ones the `rapidocr`
package installs beside its code; the engine is given their paths, so it never looks elsewhere and
never downloads (a missing file is an error, not a download).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.errors import Unavailable

# Detection, recognition (zh + en in one model) and the 0/180 degree line classifier. The
# classifier is named (so nothing is ever looked up) but not run: the card is flattened upright,
# and on short lines (a two-character name) it turned right-way-up text over and lost it.
MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
# The long side detection works on: small text on a card stays about 12 px high at this size.
DETECT_SIDE = 736

_engine = None
_load_lock = threading.Lock()
# Each reading runs on one thread (ONNX Runtime's thread pool spins and loses badly on a busy
# machine), and as many readings run at once as there are cores; more would only wait for them.
_running = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


@dataclass(frozen=True)
class Text:
    """One piece of text the engine found: its string, confidence and box (4 corner points)."""

    text: str
    score: float
    box: tuple[tuple[float, float], ...]

    @property
    def top(self) -> float:
        """The box's top edge."""
        return min(y for _, y in self.box)

    @property
    def bottom(self) -> float:
        """The box's bottom edge."""
        return max(y for _, y in self.box)

    @property
    def left(self) -> float:
        """The box's left edge."""
        return min(x for x, _ in self.box)

    @property
    def right(self) -> float:
        """The box's right edge."""
        return max(x for x, _ in self.box)

    @property
    def height(self) -> float:
        """The text's height: the box's shorter side, which holds for slanted boxes too."""
        (x0, y0), (x1, y1), (x2, y2), _ = self.box
        return min(np.hypot(x1 - x0, y1 - y0), np.hypot(x2 - x1, y2 - y1))


def model_paths() -> dict[str, Path]:
    """Where the installed `rapidocr` package keeps its model files."""
    import rapidocr

    root = Path(rapidocr.__file__).resolve().parent / "models"
    return {task: root / name for task, name in MODEL_FILES.items()}


def _load():
    paths = model_paths()
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise Unavailable(
            "the card reader's models are not installed: " + ", ".join(missing),
            code="card_reader_unavailable",
        )
    from rapidocr import RapidOCR

    params = {
        "Global.log_level": "error",
        "Global.use_cls": False,
        "Det.limit_type": "max",
        "Det.limit_side_len": DETECT_SIDE,
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    for task, path in paths.items():
        params[f"{task}.model_path"] = str(path)
    engine = RapidOCR(params=params)
    logging.getLogger("RapidOCR").propagate = False
    return engine


def engine():
    """The process's one OCR engine, loaded on first use."""
    global _engine
    if _engine is None:
        with _load_lock:
            if _engine is None:
                _engine = _load()
    return _engine


def recognise(image: np.ndarray) -> list[Text]:
    """The text on a BGR image, top to bottom."""
    ocr = engine()
    with _running:
        result = ocr(image)
    if result.txts is None:
        return []
    return [
        Text(text=str(t), score=float(s), box=tuple((float(x), float(y)) for x, y in b))
        for t, s, b in zip(result.txts, result.scores, result.boxes, strict=True)
        if str(t).strip()
    ]
