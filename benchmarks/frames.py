"""Realistic 1280x720 camera frames holding a badge QR: blur, noise, tilt, rotation, glare, moiré.

Used by the QR decoding benchmark and by the scanner tests (which write them to video files).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import qrcode

WIDTH, HEIGHT = 1280, 720
KINDS = ("clean", "blur", "noise", "rotate", "tilt", "moire", "glare", "mixed")
_Y, _X = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
_BASE = 70 + 50 * (_X / WIDTH) + 30 * (_Y / HEIGHT)


def qr_tile(text: str, module_px: int) -> np.ndarray:
    """The code as a grey image: black modules on white paper with a 4-module quiet zone."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = np.array(qr.get_matrix(), dtype=np.uint8)
    tile = np.where(matrix, 0, 255).astype(np.uint8)
    return cv2.resize(tile, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def background(rng: np.random.Generator) -> np.ndarray:
    """A dim, cluttered entrance hall: a gradient and a few shapes."""
    frame = _BASE.astype(np.uint8)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, WIDTH - 100)), int(rng.integers(0, HEIGHT - 100))
        cv2.rectangle(
            frame,
            (x0, y0),
            (x0 + int(rng.integers(40, 300)), y0 + int(rng.integers(40, 200))),
            int(rng.integers(20, 200)),
            -1,
        )
    return frame


def place(
    frame: np.ndarray, tile: np.ndarray, rng: np.random.Generator, angle: float, tilt: float
) -> None:
    """Paste the code rotated by angle degrees and tilted (perspective) somewhere in the frame."""
    h, w = tile.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    shrink = tilt * w
    dst = np.float32([[0, shrink * 0.5], [w, 0], [w, h], [0, h - shrink * 0.5]])
    centre = dst.mean(axis=0)
    rad = math.radians(angle)
    rot = np.array(
        [[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]], dtype=np.float32
    )
    dst = (dst - centre) @ rot.T
    span = dst.max(axis=0) - dst.min(axis=0)
    ox = (
        rng.uniform(-dst[:, 0].min() + 10, WIDTH - dst[:, 0].max() - 10)
        if span[0] + 20 < WIDTH
        else WIDTH / 2
    )
    oy = (
        rng.uniform(-dst[:, 1].min() + 10, HEIGHT - dst[:, 1].max() - 10)
        if span[1] + 20 < HEIGHT
        else HEIGHT / 2
    )
    dst = dst + np.float32([ox, oy])
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(
        tile, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR, borderValue=0
    )
    mask = cv2.warpPerspective(
        np.full_like(tile, 255), matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR
    )
    alpha = mask.astype(np.float32) / 255
    frame[:] = (frame * (1 - alpha) + warped * alpha).astype(np.uint8)


def moire(frame: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """A phone screen filmed by a camera: interference fringes and a faint pixel grid."""
    y, x = _Y, _X
    fx, fy = rng.uniform(0.08, 0.2), rng.uniform(0.08, 0.2)
    fringes = 0.5 * (1 + np.sin(2 * np.pi * (x * fx + y * fy)))
    grid = 0.5 * (1 + np.sin(2 * np.pi * x / 3.0)) * 0.5 * (1 + np.sin(2 * np.pi * y / 3.0))
    shade = 1 - strength * (0.6 * fringes + 0.4 * grid)
    return np.clip(frame * shade + 25 * strength, 0, 255).astype(np.uint8)


def glare(frame: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """A bright reflection (ceiling light on a glossy badge or screen)."""
    y, x = _Y, _X
    cx, cy = rng.uniform(0.3, 0.7) * WIDTH, rng.uniform(0.3, 0.7) * HEIGHT
    blob = np.exp(-(((x - cx) ** 2) + ((y - cy) ** 2)) / (2 * (rng.uniform(60, 140) ** 2)))
    return np.clip(frame + 255 * strength * blob, 0, 255).astype(np.uint8)


def make_frame(text: str | None, kind: str, rng: np.random.Generator) -> np.ndarray:
    """One grey frame of the given kind, holding the code (or none when text is None)."""
    frame = background(rng)
    if text is not None:
        module = int(rng.integers(4, 7))
        angle = float(rng.uniform(-8, 8))
        tilt = float(rng.uniform(0, 0.08))
        if kind in ("rotate", "mixed"):
            angle = float(rng.uniform(-180, 180))
        if kind in ("tilt", "mixed"):
            tilt = float(rng.uniform(0.1, 0.25))
        place(frame, qr_tile(text, module), rng, angle, tilt)
    if kind in ("blur", "mixed"):
        sigma = float(rng.uniform(0.8, 1.6))
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    if kind == "moire":
        frame = moire(frame, rng, float(rng.uniform(0.2, 0.35)))
    if kind == "glare":
        frame = glare(frame, rng, float(rng.uniform(0.3, 0.5)))
    if kind in ("noise", "mixed", "moire", "glare"):
        sigma = 12.0 if kind == "noise" else 6.0
        noise = rng.normal(0, sigma, frame.shape).astype(np.float32)
        frame = np.clip(frame + noise, 0, 255).astype(np.uint8)
    else:
        noise = rng.normal(0, 3, frame.shape).astype(np.float32)
        frame = np.clip(frame + noise, 0, 255).astype(np.uint8)
    return frame


def write_video(
    path: str, segments: list[tuple[str | None, int]], seed: int = 7, fps: int = 10
) -> None:
    """An MJPEG video: per segment (code or None, frames), cycling through every kind of frame."""
    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), fps, (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path}")
    n = 0
    for text, count in segments:
        for _ in range(count):
            grey = make_frame(text, KINDS[n % len(KINDS)], rng)
            writer.write(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))
            n += 1
    writer.release()
