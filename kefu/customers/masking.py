"""Masking of personal data for display: ``138****1234`` and ``上海市浦东新区****``.

Masking errs on the side of hiding: when an input does not look like what the rules
expect, more is hidden, never less.
"""

import re

MASK = "****"

# Units above the district level whose name ends in 区: skip them and keep looking.
_ABOVE_DISTRICT = ("自治区", "特别行政区", "地区")
# Words ending in 区/县/旗 that name something below a district (a housing estate, a
# campus): reaching one means the district is not written out; stop looking.
_BELOW_DISTRICT = ("小区", "社区", "园区", "校区", "景区", "街区", "片区", "厂区", "营区", "宿舍区")
# Characters that only appear below the district level: a prefix holding one of them (or
# a digit) would give away part of the street address.
_STREET_MARKERS = re.compile(r"[0-9０-９路街巷弄号幢栋楼室村组]")
_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MAX_PREFIX = 25  # longest real prefix: 新疆维吾尔自治区伊犁哈萨克自治州伊宁市 is 19


def mask_phone(phone: str | None) -> str:
    """Mainland mobile numbers keep their first 3 and last 4 digits (``138****1234``);
    other numbers of 8 digits or more only their last 4; anything shorter is fully masked."""
    if not phone:
        return ""
    text = phone.strip()
    digits = re.sub(r"\D", "", text)
    international = text.startswith(("+", "00"))
    if international:
        digits = digits.removeprefix("00")
        if not digits.startswith("86"):
            return f"{MASK}{digits[-4:]}" if len(digits) >= 8 else MASK
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MAINLAND_MOBILE.fullmatch(digits):
        return f"{digits[:3]}{MASK}{digits[-4:]}"
    if len(digits) >= 8:
        return f"{MASK}{digits[-4:]}"
    return MASK


def _safe_prefix(prefix: str) -> bool:
    return 2 <= len(prefix) <= _MAX_PREFIX and not _STREET_MARKERS.search(prefix)


def _district_end(text: str) -> int | None:
    """Index just after the first district-level unit (…区, …县, …旗), or None."""
    for match in re.finditer(r"[区县旗]", text):
        end = match.end()
        head = text[:end]
        if head.endswith(_ABOVE_DISTRICT):
            continue
        if head.endswith(_BELOW_DISTRICT):
            return None
        return end
    return None


def _fallback_end(text: str) -> int | None:
    """Without a district: keep up to the first city (市), else the province (省)."""
    for unit in ("市", "省"):
        index = text.find(unit)
        if index >= 0:
            return index + 1
    return None


def mask_address(address: str | None) -> str:
    """Keep the province/city/district prefix, up to and including the first district-level
    unit, and mask the rest: ``上海市浦东新区张江路88号`` → ``上海市浦东新区****``."""
    if not address:
        return ""
    text = re.sub(r"\s+", "", address)
    for end in (_district_end(text), _fallback_end(text)):
        if end is not None and _safe_prefix(text[:end]):
            return text[:end] + MASK
    return MASK
