"""The seed roundup as the tests know it: where it is, its slug, title and date, its experts."""

from app.config import get_settings

SEED_DIR = get_settings().seed_dir
SEED_SLUG = "taking-the-pulse-should-europe-negotiate-with-russia"
SEED_SOURCE = SEED_DIR / f"{SEED_SLUG}.txt"
SEED_TITLE = "Taking the Pulse: Should Europe Negotiate with Russia?"
SEED_DATE = "2025-12-04"

# The seven experts, in the order the roundup prints them.
SEED_EXPERTS = (
    "veronica-anghel",
    "samuel-greene",
    "jana-kobzova",
    "alexander-gabuev",
    "gwendolyn-sasse",
    "stefan-meister",
    "eugene-rumer",
)
