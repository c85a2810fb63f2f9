"""The report page's chart as plain geometry for an inline SVG (no JavaScript, works offline):
bars of daily conversations, a line of the daily reply rate."""

from datetime import date

from kefu.reports.builder import Report

WIDTH, HEIGHT = 1200, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 12, 28


def nice_ceiling(value: int) -> int:
    """A round axis maximum at or above ``value``, divisible by 4 (one grid line a quarter)."""
    if value <= 4:
        return 4
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 4, 5, 8, 10):
        ceiling = step * magnitude
        if ceiling >= value and ceiling % 4 == 0:
            return ceiling
    return -(-value // 4) * 4


def day_chart(report: Report) -> dict | None:
    if len(report.days) < 2:
        return None
    counts = [int(row.metrics.get("conversations") or 0) for row in report.days]
    rates = [row.metrics.get("reply_rate") for row in report.days]
    top = nice_ceiling(max(counts))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(counts)
    label_every = max(1, round(len(counts) / 12))
    bars, points = [], []
    for index, (row, count, rate) in enumerate(zip(report.days, counts, rates, strict=True)):
        height = plot_h * count / top
        x = LEFT + slot * index
        bars.append({
            "x": round(x + slot * 0.2, 1), "y": round(TOP + plot_h - height, 1), "w": round(slot * 0.6, 1),
            "h": round(height, 1), "value": count, "rate": rate,
            "label": date.fromisoformat(row.group["day"]).strftime("%m-%d") if index % label_every == 0 else "",
            "cx": round(x + slot / 2, 1), "day": row.group["day"],
        })
        if rate is not None:
            points.append(f"{x + slot / 2:.1f},{TOP + plot_h - plot_h * min(float(rate), 1.0):.1f}")
    grid = [{"y": round(TOP + plot_h - plot_h * step / 4, 1), "count": top * step // 4, "rate": 25 * step}
            for step in range(5)]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "bottom": TOP + plot_h,
        "label_y": TOP + plot_h + 16, "bars": bars, "line": " ".join(points), "grid": grid,
        "dots": [p.split(",") for p in points],
    }
