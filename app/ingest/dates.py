"""Printed dates: the forms the series' pages use ("Thursday, September 15, 2022",
"Apr 20, 2023", "November 17th, 2015", "24/11/2022"), found at the end of a line and read."""

import re
from datetime import date

_MONTHS = "january february march april may june july august september october november december"
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTHS.split(), start=1)}
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
_DATE = re.compile(
    _WEEKDAY + r"(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>\d{4})$"
    # Day first, as printed in Europe.
    r"|(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"
)


def find_date(line: str) -> tuple[str, str] | None:
    """(what comes before, the date as printed) if `line` ends with a date of a known form."""
    # Every form ends with the year, and a date line is short: most lines stop here.
    if len(line) > 120 or not line[-4:].isdigit():
        return None
    for match in _DATE.finditer(line):
        if match["d"] is not None or _month(match["month"]) is not None:
            return line[: match.start()], match.group()
    return None


def read_date(printed: str) -> date | None:
    """The date `printed` (as `find_date` returns it) stands for; None if there is none
    ("April 31, 2025")."""
    match = _DATE.fullmatch(printed)
    if match is None:
        return None
    if match["d"] is not None:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    else:
        number = _month(match["month"])
        if number is None:
            return None
        year, month, day = int(match["year"]), number, int(match["day"])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(word: str) -> int | None:
    """ "April", "Apr", "Sept" -> 4, 4, 9; None for any other word."""
    word = word.lower()
    for name, number in _MONTH_NUMBERS.items():
        if word == name or word == name[:3] or (name == "september" and word == "sept"):
            return number
    return None
