"""Regular expressions for whole-number ranges: how a String parameter (the only type that can be left empty)
constrains a number, since MinValue and MaxValue apply to Number parameters only. No troposphere here."""

from __future__ import annotations


def whole_number_range(low: int, high: int) -> str:
    """A pattern matching exactly the decimal numbers low..high, without leading zeros."""
    return "|".join(_ranges(low, high))


def _ranges(low: int, high: int) -> list[str]:
    """Split low..high into runs of equal length whose digits vary only in a suffix, e.g. 60..99 -> [6-9][0-9]."""
    if len(str(low)) < len(str(high)):
        boundary = 10 ** len(str(low)) - 1
        return _ranges(low, boundary) + _ranges(boundary + 1, high)
    if low == high:
        return [str(low)]
    for trailing in range(len(str(high)) - 1, 0, -1):  # the widest aligned block that fits
        step = 10**trailing
        first_full = -(-low // step) * step
        last_full = (high + 1) // step * step - 1
        if first_full <= last_full:
            before = _ranges(low, first_full - 1) if low < first_full else []
            after = _ranges(last_full + 1, high) if last_full < high else []
            return [*before, *_block(first_full, last_full, trailing), *after]
    return [_digits(low, high)]


def _block(first: int, last: int, trailing: int) -> list[str]:
    """first..last where both are aligned to 10**trailing: a prefix range followed by `trailing` free digits."""
    return [f"{prefix}{'[0-9]' * trailing}" for prefix in _ranges(first // 10**trailing, last // 10**trailing)]


def _digits(low: int, high: int) -> str:
    """Two numbers of equal length that differ in their last digit only."""
    text_low, text_high = str(low), str(high)
    return f"{text_low[:-1]}[{text_low[-1]}-{text_high[-1]}]"
