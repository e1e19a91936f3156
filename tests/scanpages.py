"""Tiny answer-sheet pages drawn with PIL from a hand-written layout, for the reader's unit tests.

Deliberately minimal and independent of the reader: the layout dict follows the answer-sheet contract
(mm, top-left origin, bubble centres), the QR code is made by zxing-cpp's own encoder, marks are plain
filled ellipses. The full scan simulator (varied pens, noise, JPEG, …) is ``tests/scansim.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

EXAM = "t-exam"


def _bubble(bid: str, question: int | None, group: str, value: str, x: float, y: float, column: int | None = None):
    return {
        "id": bid,
        "question": question,
        "group": group,
        "value": value,
        "column": column,
        "x": x,
        "y": y,
        "w": 4.0,
        "h": 4.0,
    }


def layout_page(version: str = "A", copy: int = 1, page: int = 1, exam: str = EXAM, digits: int = 4) -> dict[str, Any]:
    """One page: a 4-digit student grid, Q1 single choice A–D, Q2 multi A–D, Q3 numeric, Q4 open (0–3 points)."""
    bubbles = []
    for col in range(digits):
        for d in range(10):
            bubbles.append(_bubble(f"s{col}.{d}", None, "student", str(d), 20 + 6 * col, 60 + 5 * d, col))
    for q, y in ((1, 130), (2, 140)):
        for i, letter in enumerate("ABCD"):
            bubbles.append(_bubble(f"q{q}.{letter}", q, "choice", letter, 30 + 8 * i, y))
    bubbles.append(_bubble("q3.+", 3, "sign", "+", 30, 160))
    bubbles.append(_bubble("q3.-", 3, "sign", "-", 30, 166))
    for col in range(3):
        for d in range(10):
            bubbles.append(_bubble(f"q3.d{col}.{d}", 3, "digit", str(d), 40 + 6 * col, 160 + 5 * d, col))
    for k in range(3):
        bubbles.append(_bubble(f"q3.dec{k}", 3, "decimals", str(k), 70 + 6 * k, 160))
    for p in range(4):
        bubbles.append(_bubble(f"q4.{p}", 4, "score", str(p), 120 + 8 * p, 160))
    return {
        "pdf_page": 1,
        "exam": exam,
        "version": version,
        "copy": copy,
        "page": page,
        "pages": 1,
        "qr": {"payload": f"QZ1|{exam}|{version}|{copy}|{page}", "x": 170.0, "y": 12.0, "size": 25.0},
        "corner_marks": [
            {"corner": c, "x": x, "y": y, "size": 5.0}
            for c, x, y in (("tl", 10.0, 10.0), ("tr", 200.0, 10.0), ("bl", 10.0, 287.0), ("br", 200.0, 287.0))
        ],
        "bubbles": bubbles,
        "regions": [
            {"question": None, "x": 15.0, "y": 55.0, "w": 30.0, "h": 52.0},
            {"question": 1, "x": 25.0, "y": 125.0, "w": 40.0, "h": 10.0},
            {"question": 2, "x": 25.0, "y": 135.0, "w": 40.0, "h": 10.0},
            {"question": 3, "x": 25.0, "y": 155.0, "w": 65.0, "h": 55.0},
            {"question": 4, "x": 115.0, "y": 155.0, "w": 35.0, "h": 10.0},
        ],
    }


def answer_sheets(pages: list[dict[str, Any]], cancel: bool = False) -> dict[str, Any]:
    return {
        "layout_version": 1,
        "units": "mm",
        "origin": "top-left, y down",
        "paper": {"width": 210.0, "height": 297.0},
        "pdf": "answer-sheets.pdf",
        "student_digits": 4,
        "cancel_by_blackening": cancel,
        "pages": pages,
    }


def write_sheets(directory: Path, pages: list[dict[str, Any]], cancel: bool = False) -> None:
    """A manifest.json with no questions and these answer-sheet pages (enough for the reader's refusals)."""
    from quizzer.exam.manifest import AnswerSheets, manifest_json
    from tests.exam_manifests import make_manifest

    directory.mkdir(parents=True, exist_ok=True)
    manifest = make_manifest({"A": []}).model_copy(
        update={"answer_sheets": AnswerSheets.model_validate(answer_sheets(pages, cancel))}
    )
    (directory / "manifest.json").write_text(manifest_json(manifest), encoding="utf-8")


def draw_page(
    layout: dict[str, Any], fills: dict[str, float] | None = None, *, dpi: int = 150, blacken: tuple[str, ...] = ()
) -> Image.Image:
    """The page as printed and marked: ``fills`` maps a bubble id to ink darkness 0…1 (a disc of 80 % radius)."""
    import zxingcpp

    s = dpi / 25.4
    image = Image.new("L", (round(210 * s), round(297 * s)), 255)
    draw = ImageDraw.Draw(image)
    for m in layout["corner_marks"]:
        half = m["size"] / 2
        draw.rectangle([(m["x"] - half) * s, (m["y"] - half) * s, (m["x"] + half) * s, (m["y"] + half) * s], fill=0)
    qr = layout["qr"]
    code = zxingcpp.create_barcode(qr["payload"], zxingcpp.BarcodeFormat.QRCode)
    symbol = Image.fromarray(np.asarray(code.to_image(scale=1, add_quiet_zones=True)))
    side = round(qr["size"] * s)
    image.paste(symbol.resize((side, side), Image.Resampling.NEAREST), (round(qr["x"] * s), round(qr["y"] * s)))
    for b in layout["bubbles"]:
        rx, ry = b["w"] / 2 * s, b["h"] / 2 * s
        cx, cy = b["x"] * s, b["y"] * s
        draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], outline=0, width=max(1, round(0.25 * s)))
        level = (fills or {}).get(b["id"])
        if b["id"] in blacken:
            draw.ellipse([cx - 1.2 * rx, cy - 1.2 * ry, cx + 1.2 * rx, cy + 1.2 * ry], fill=0)  # over the outline
        elif level:
            ink = round(255 * (1 - level))
            draw.ellipse([cx - 0.8 * rx, cy - 0.8 * ry, cx + 0.8 * rx, cy + 0.8 * ry], fill=ink)
    return image


def scanned(image: Image.Image, *, angle: float = 0.0, scale: float = 1.0, turn: bool = False) -> Image.Image:
    """As a scanner returns it: shrunk about the centre (fit-to-page printing), slightly rotated, maybe upside down."""
    width, height = image.size
    if scale != 1.0:
        small = image.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)
        canvas = Image.new("L", (width, height), 255)
        canvas.paste(small, ((width - small.width) // 2, (height - small.height) // 2))
        image = canvas
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    if turn:
        image = image.rotate(180)
    return image
