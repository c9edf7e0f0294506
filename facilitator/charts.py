"""SVG charts drawn by the server: the map of meanings.

Called by the map route; takes the analysis payload and returns SVG text. Every meaning gets a
colour *and* a shape (and its number in the legend), so the map reads without colour vision and
in black-and-white print.
"""

from __future__ import annotations

import re

from markupsafe import escape

from glossary.meeting import rounds

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D31"]
SHAPES = ["circle", "square", "triangle", "diamond", "star", "cross", "triangle-down", "hexagon"]
WIDTH, PLOT_HEIGHT, PAD = 640, 380, 34


def meaning_number(meaning: dict, position: int) -> int:
    """A meaning's number from its id ("m3" is 3), as static/js/meanings.js does, so that it keeps
    its number, colour and shape through corrections and regrouping; else its position + 1."""
    found = re.fullmatch(r"m(\d+)", str(meaning.get("id", "")))
    return int(found.group(1)) if found else position + 1


def style(index: int) -> tuple[str, str]:
    """Colour and shape of the meaning at ``index`` (also used by the cards on screen)."""
    return COLOURS[index % len(COLOURS)], SHAPES[index % len(SHAPES)]


def marker(shape: str, x: float, y: float, r: float, colour: str) -> str:
    """One point of the map in the meaning's shape."""
    common = f'fill="{colour}" stroke="#fff" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {common}/>'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {common}/>'
    points = {
        "triangle": [(0, -1.2), (1.1, 0.8), (-1.1, 0.8)],
        "triangle-down": [(0, 1.2), (1.1, -0.8), (-1.1, -0.8)],
        "diamond": [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
        "star": [(0, -1.4), (0.4, -0.45), (1.35, -0.45), (0.6, 0.15), (0.85, 1.1), (0, 0.55), (-0.85, 1.1), (-0.6, 0.15), (-1.35, -0.45), (-0.4, -0.45)],
        "cross": [(-0.4, -1.2), (0.4, -1.2), (0.4, -0.4), (1.2, -0.4), (1.2, 0.4), (0.4, 0.4), (0.4, 1.2), (-0.4, 1.2), (-0.4, 0.4), (-1.2, 0.4), (-1.2, -0.4), (-0.4, -0.4)],
        "hexagon": [(1.15, 0), (0.58, 1), (-0.58, 1), (-1.15, 0), (-0.58, -1), (0.58, -1)],
    }[shape]
    path = " ".join(f"{x + dx * r:.1f},{y + dy * r:.1f}" for dx, dy in points)
    return f'<polygon points="{path}" {common}/>'


def _legend_rows(labels: list[str]) -> list[list[tuple[int, str]]]:
    rows: list[list[tuple[int, str]]] = [[]]
    used = 10
    for index, label in enumerate(labels):
        width = 34 + len(label) * 7
        if rows[-1] and used + width > WIDTH - 10:
            rows.append([])
            used = 10
        rows[-1].append((index, label))
        used += width
    return rows


def meaning_map_svg(analysis: dict, numbers: dict[str, int], title: str) -> str:
    """The definitions as points on a plane (close = similar meaning), one colour and shape per
    meaning, each point labelled with the definition's number as shown in the cards."""
    coordinates = analysis.get("coordinates") or {}
    meanings = analysis.get("meanings") or []
    numbers_of = [meaning_number(m, i) for i, m in enumerate(meanings)]
    labels = [f"{n}. {m.get('label', '')}"[:44] for n, m in zip(numbers_of, meanings)]
    rows = _legend_rows(labels)
    height = PLOT_HEIGHT + 24 * len(rows) + 8
    xs = [c[0] for c in coordinates.values()] or [0.0]
    ys = [c[1] for c in coordinates.values()] or [0.0]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0

    def place(point):
        x = PAD + (point[0] - min(xs)) / span_x * (WIDTH - 2 * PAD) if len(set(xs)) > 1 else WIDTH / 2
        y = PAD + (point[1] - min(ys)) / span_y * (PLOT_HEIGHT - 2 * PAD) if len(set(ys)) > 1 else PLOT_HEIGHT / 2
        return x, y

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="map-title" font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
        f'<rect x="1" y="1" width="{WIDTH - 2}" height="{PLOT_HEIGHT - 2}" fill="none" stroke="#d9dee7" rx="8"/>',
    ]
    # Beyond a room's worth of points (a plenary's map is a sample of 200) the numbers only overlap
    # into a smudge, and the cards number no list to match them: smaller points, no numbers.
    numbered = len(coordinates) <= rounds.FULL_REVEAL_LIMIT
    radius = 9 if numbered else 6
    for position, meaning in enumerate(meanings):
        colour, shape = style(numbers_of[position] - 1)
        for definition_id in meaning["definition_ids"]:
            if definition_id not in coordinates:
                continue
            x, y = place(coordinates[definition_id])
            parts.append(marker(shape, x, y, radius, colour))
            if numbered:
                parts.append(f'<text x="{x + 12:.1f}" y="{y + 4:.1f}" fill="#1d2430">{numbers.get(definition_id, "")}</text>')
    for row_number, row in enumerate(rows):
        y = PLOT_HEIGHT + 18 + 24 * row_number
        x = 10
        for position, label in row:
            colour, shape = style(numbers_of[position] - 1)
            parts.append(marker(shape, x + 8, y - 5, 7, colour))
            parts.append(f'<text x="{x + 20}" y="{y}" fill="#1d2430">{escape(label)}</text>')
            x += 34 + len(label) * 7
    parts.append("</svg>")
    return "".join(parts)
