"""QR decoders for camera frames. zxing-cpp is the one used; OpenCV's is kept for comparison.

Measured on perturbed 1280x720 frames (benchmarks/qr_decode.py): zxing-cpp reads nearly all
of them in a few milliseconds; OpenCV's QRCodeDetector is slower and misses many.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import zxingcpp

Decoder = Callable[[np.ndarray], list[str]]


def gray(frame: np.ndarray) -> np.ndarray:
    """A camera frame (BGR or grey) as one grey channel."""
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def decode_zxing(frame: np.ndarray) -> list[str]:
    """Texts of the QR codes zxing-cpp finds in a frame."""
    # Badges and confirmation e-mails print dark on light; skipping the inverted pass halves the time.
    found = zxingcpp.read_barcodes(
        gray(frame), formats=zxingcpp.BarcodeFormat.QRCode, try_invert=False
    )
    return [b.text for b in found if b.valid and b.text]


_opencv = cv2.QRCodeDetector()


def decode_opencv(frame: np.ndarray) -> list[str]:
    """Text of the QR code OpenCV's QRCodeDetector finds in a frame (for comparison)."""
    try:
        text, _points, _ = _opencv.detectAndDecode(gray(frame))
    except cv2.error:
        return []
    return [text] if text else []


DECODERS: dict[str, Decoder] = {"zxing": decode_zxing, "opencv": decode_opencv}
