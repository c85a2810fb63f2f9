"""Reading a period from text (CLI and API alike)."""

from datetime import date, datetime


def moment_or_day(value: str, name: str) -> date | datetime:
    """A date (a shop-local day) or an ISO 8601 time with a UTC offset; ValueError otherwise."""
    text = (value or "").strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name}: {value!r} is neither a date (YYYY-MM-DD) nor a time with an offset") from None
    if moment.tzinfo is None:
        raise ValueError(f"{name}: {value!r} has no UTC offset (write e.g. 2026-11-11T20:00:00+08:00)")
    return moment


def period_parse(start: str, end: str, as_of: str | None = None):
    """(start, end, as_of) checked: both dates or both times, end after start, as_of a time."""
    first, last = moment_or_day(start, "from"), moment_or_day(end, "to")
    if type(first) is not type(last):
        raise ValueError("from and to must both be dates or both be times")
    if last <= first:
        raise ValueError("to must be after from")
    moment = None
    if as_of:
        moment = moment_or_day(as_of, "as-of")
        if not isinstance(moment, datetime):
            raise ValueError("as-of must be a time with an offset")
    return first, last, moment
