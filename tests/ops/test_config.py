"""Settings: every one is documented, with its default, in docs/deployment.md."""

import re

from app.config import PROJECT_DIR, Settings

DOC = (PROJECT_DIR / "docs" / "deployment.md").read_text(encoding="utf-8")


def documented_defaults() -> dict[str, str]:
    """The configuration reference table: variable -> its default cell."""
    section = DOC.split("\n## Configuration reference\n", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]*) \|", section, flags=re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def variable(name: str) -> str:
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else f"ROUNDUP_{name.upper()}"


def test_every_setting_is_in_the_configuration_reference() -> None:
    assert sorted(documented_defaults()) == sorted(map(variable, Settings.model_fields))


def test_the_configuration_reference_states_the_defaults() -> None:
    documented = documented_defaults()
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, bool):
            expected = f"`{str(default).lower()}`"
        elif isinstance(default, int | str) and name != "database_url":
            expected = f"`{default}`"
        else:
            continue
        assert documented[variable(name)].split(" (")[0] == expected, name
    assert documented["ROUNDUP_CORS_ORIGINS"] == '`["*"]`'
    assert documented["DATABASE_URL"].startswith("`sqlite:///<project>/roundup.db`")
    assert documented["ROUNDUP_SEED_DIR"].startswith("`<project>/seed`")
