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
    pts = np.asarray(quad, dtype=np.float32).reshape(4, 2)
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
            return approx.reshape(4, 2).astype(np.float32)
    # A hand over one corner or a rounded corner: the smallest rectangle around it still
    # says how the card lies.
    rect = cv2.minAreaRect(hull)
    if cv2.contourArea(hull) > 0.85 * rect[1][0] * rect[1][1]:
        return cv2.boxPoints(rect).astype(np.float32)
    return None


def _card_like(quad: np.ndarray, width: int, height: int) -> bool:
    """A card seen from above at a slant: inside the photo, near-right angles, a card's shape."""
    if (quad < 2).any() or (quad[:, 0] > width - 3).any() or (quad[:, 1] > height - 3).any():
        return False
    tl, tr, br, bl = _order(quad)
    sides = [
        np.linalg.norm(tr - tl),
        np.linalg.norm(br - tr),
        np.linalg.norm(bl - br),
        np.linalg.norm(tl - bl),
    ]
    if min(sides) < 20:
        return False
    for a, b, c in ((tl, tr, br), (tr, br, bl), (br, bl, tl), (bl, tl, tr)):
        u, v = a - b, c - b
        cos = abs(float(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v)))
        if cos > 0.45:  # further than about 27 degrees from square
            return False
    across = (sides[0] + sides[2]) / 2
    down = (sides[1] + sides[3]) / 2
    ratio = max(across, down) / min(across, down)
    # Business cards run from 85x55 mm (1.55) to 90x50 mm (1.8); a slant changes that a little.
    return 1.3 <= ratio <= 2.1


def _masks(small: np.ndarray) -> list[np.ndarray]:
    """Ways to tell the card from what is behind it; each tried in turn."""
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    masks = []
    # Far from the colour at the photo's border (the table).
    lab = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2LAB), (9, 9), 0).astype(np.float32)
    border = np.concatenate(
        [
            lab[:4].reshape(-1, 3),
            lab[-4:].reshape(-1, 3),
            lab[:, :4].reshape(-1, 3),
            lab[:, -4:].reshape(-1, 3),
        ]
    )
    distance = np.linalg.norm(lab - np.median(border, axis=0), axis=2)
    limit = max(
        18.0,
        float(np.percentile(np.linalg.norm(border - np.median(border, axis=0), axis=1), 95)) * 1.3,
    )
    masks.append((distance > limit).astype(np.uint8) * 255)
    # Edges, closed into outlines.
    median = float(np.median(gray))
    edges = cv2.Canny(gray, 0.5 * median, 1.2 * median)
    masks.append(cv2.dilate(edges, np.ones((5, 5), np.uint8)))
    # Lighter or darker than the rest.
    _, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    masks += [otsu, 255 - otsu]
    return masks


def find_card(image: np.ndarray) -> tuple[np.ndarray | None, tuple[int, int, int, int] | None]:
    """The card's four corners in the photo, or else the box around what stands out from the
    table (a card held in a hand, a card on a table of its colour), or neither."""
    h, w = image.shape[:2]
    scale = 640 / max(h, w)
    small = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    area = sh * sw
    best, best_area = None, 0.0
    box = None
    for mask in _masks(small):
        closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
        contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            if cv2.contourArea(contour) < 0.12 * area:
                break
            if box is None:
                # What stands out: the biggest shape and everything sizeable beside it.
                big = [c for c in contours if cv2.contourArea(c) > 0.02 * area]
                box = cv2.boundingRect(np.concatenate(big))
            quad = _quad_of(contour)
            if quad is None or not _card_like(quad, sw, sh):
                continue
            a = cv2.contourArea(quad)
            if 0.12 * area < a < 0.97 * area and a > best_area:
                best, best_area = quad, a
        if best is not None:
            break
    if best is not None:
        return _order(best) / scale, None
    if box is None:
        return None, None
    x, y, bw, bh = box
    pad = 0.03 * max(sw, sh)
    x0, y0 = max(0, round((x - pad) / scale)), max(0, round((y - pad) / scale))
    x1, y1 = min(w, round((x + bw + pad) / scale)), min(h, round((y + bh + pad) / scale))
    if (x1 - x0) * (y1 - y0) > 0.9 * w * h:
        return None, None
    return None, (x0, y0, x1, y1)


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
    corners, box = find_card(photo)
    if corners is not None:
        card = flatten(photo, corners)
    elif box is not None:
        x0, y0, x1, y1 = box
        card = photo[y0:y1, x0:x1]
    else:
        card = photo
    return even_light(card)
