"""From the bytes a phone sends to a flat, upright, readable card image (OpenCV).

Decode (JPEG or PNG, the camera's EXIF turn applied), shrink, find the card on the table, flatten
its perspective and straighten it, then even out the light and lift the contrast.
"""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
# A 48-megapixel phone photo is the largest an honest camera sends; past that it is a bomb.
MAX_PIXELS = 50_000_000
FORMATS = {"JPEG", "PNG", "MPO"}  # MPO: the JPEG some phones write
# The long side the card is looked for on, and the long side of the flattened card.
WORK_SIDE = 1280
CARD_SIDE = 1100


class BadImage(Exception):
    """The bytes are not an image we take; `reason` is not_an_image or too_large."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def decode(data: bytes) -> np.ndarray:
    """The photo as a BGR array, turned as the camera says, its long side at most WORK_SIDE."""
    if len(data) > MAX_BYTES:
        raise BadImage("too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise BadImage("not_an_image")
            if image.width * image.height > MAX_PIXELS:
                raise BadImage("too_large")
            # JPEG decodes faster at a fraction of its size; the card needs only WORK_SIDE.
            image.draft("RGB", (WORK_SIDE, WORK_SIDE))
            image = ImageOps.exif_transpose(image).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage("too_large") from None
    except BadImage:
        raise
    except (OSError, ValueError, SyntaxError):
        raise BadImage("not_an_image") from None
    scale = WORK_SIDE / max(image.size)
    if scale < 1:
        image = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
        )
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def _order(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    pts = quad.reshape(4, 2).astype(np.float32)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]],
        dtype=np.float32,
    )


def _quad_of(contour: np.ndarray) -> np.ndarray | None:
    """The contour as four corners, if it is close to a quadrilateral."""
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx
    # A hand over one corner or a rounded corner: the smallest rectangle around it still
    # says how the card lies.
    rect = cv2.minAreaRect(hull)
    if cv2.contourArea(hull) > 0.85 * rect[1][0] * rect[1][1]:
        return cv2.boxPoints(rect)
    return None


def find_card(image: np.ndarray) -> np.ndarray | None:
    """The card's four corners in the photo, or None when no card-like shape stands out."""
    h, w = image.shape[:2]
    scale = 640 / max(h, w)
    small = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    area = small.shape[0] * small.shape[1]
    masks = []
    edges = cv2.Canny(gray, 40, 120)
    masks.append(cv2.dilate(edges, np.ones((5, 5), np.uint8)))
    _, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    masks += [otsu, 255 - otsu]
    best, best_area = None, 0.0
    for mask in masks:
        closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            quad = _quad_of(contour)
            if quad is None:
                continue
            a = cv2.contourArea(quad.astype(np.float32))
            # The card fills a good part of the photo but is not the photo's own border.
            if not 0.15 * area < a < 0.97 * area or a <= best_area:
                continue
            x, y, qw, qh = cv2.boundingRect(quad.astype(np.float32))
            if x <= 1 and y <= 1 and qw >= small.shape[1] - 2 and qh >= small.shape[0] - 2:
                continue
            best, best_area = quad, a
    if best is None:
        return None
    return _order(best) / scale


def flatten(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The card cut out of the photo and seen from straight above."""
    tl, tr, br, bl = corners
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    scale = CARD_SIDE / max(width, height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    target = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_CUBIC)


def even_light(image: np.ndarray) -> np.ndarray:
    """Uneven light evened out and contrast lifted (CLAHE on lightness), colours kept."""
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB)
    light = lab[:, :, 0]
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    lab[:, :, 0] = clahe.apply(light)
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def is_blank(image: np.ndarray) -> bool:
    """True when the image holds nothing that could be text (one flat colour, give or take noise)."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 50, 150)
    return float(np.count_nonzero(edges)) / edges.size < 0.0005


def prepare(data: bytes) -> np.ndarray:
    """The card in a photo, ready to read: decoded, found, flattened and evened out."""
    photo = decode(data)
    corners = find_card(photo)
    card = flatten(photo, corners) if corners is not None else photo
    return even_light(card)
