"""Split a printed affiliation line into (role, organization[, parent unit, city]) records.

Forms handled: "Role, Organization", "Role, Unit, Parent", "Role at Organization",
"Role at Unit at Parent", "Role of Organization", "Role of the Organization" and "Role to the
Organization" (known, or shaped like one: capitalised words with an institution noun), a
trailing city ("..., Tallinn"), an acronym in parentheses, commas inside roles, and double
roles joined by "and". A line that names no organization ("Journalist and author") is a role
alone.
"""

import re
from collections.abc import Collection

from app.ingest.document import ParsedAffiliation

ORG_WORDS = frozenset(
    """Centre Center Institute Institut University Universität Université College School
    Council Foundation Endowment Program Programme Department Faculty Office Fund Forum
    Initiative Project Studies Academy Agency Commission Parliament Ministry Committee Bank
    Association Society Group Network Service Observatory Laboratory Lab House Carnegie
    Stiftung Fondation Bruegel Chatham""".split()
)
ROLE_WORDS = frozenset(
    """Director Head Fellow Professor Senior Chair Chairman Chairwoman President Editor
    Founder Cofounder Co-founder Member Associate Assistant Research Researcher Nonresident
    Visiting Lecturer Adviser Advisor Vice Deputy Executive Managing Chief Distinguished
    Analyst Coordinator Manager Partner Minister Ambassador Former Secretary Principal Dean
    Leader Scholar Expert Correspondent Columnist Programme Program""".split()
)
_ACRONYM = re.compile(r"(?P<name>.+?)\s*\((?P<short>[A-Z][A-Za-z&.-]{1,14})\)")
# Words that may stand between the capitalised words of an organization's name.
_CONNECTORS = frozenset("for of and on in the & de des du la le der für und".split())
_CITY = re.compile(r"[A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+)?")


def split_affiliation(
    line: str, line_number: int, organizations: Collection[str] = ()
) -> tuple[ParsedAffiliation, ...]:
    """The affiliations printed in `line`; `organizations` are known names that take priority."""
    known = {_plain(name) for name in organizations}
    segments = _comma_segments(line)
    city = None
    if (
        len(segments) >= 2
        and _CITY.fullmatch(segments[-1])
        and not _is_org(segments[-1], known)
        and _names_org_before_city(segments[:-1], known)
    ):
        city = segments.pop()
    text = ", ".join(segments)

    if " at " in text:
        role, _, where = text.partition(" at ")
        places = [p for part in where.split(" at ") for p in _comma_segments(part)]
        # "Director of the Example Centre at Example University": the unit, then its parent.
        # The gazetteer lists the units of the organizations it knows, so a unit it does not
        # list, of one it knows ("Director of the Russia/Eurasia Center at Ifri"), stays in
        # the role as printed.
        if (
            len(places) == 1
            and (unit := _of_form(role, known)) is not None
            and (_known(unit[1], known) or not _known(places[0], known))
        ):
            role, places = unit[0], [unit[1], *places]
    elif len(segments) >= 2:
        places = [segments[-1]]
        role_parts = segments[:-1]
        if (
            len(role_parts) >= 2
            and _is_org(role_parts[-1], known)
            and not _starts_with_role(role_parts[-1])
        ):
            places.insert(0, role_parts.pop())
        role = ", ".join(role_parts)
    elif (of_split := _of_form(text, known)) is not None:
        role, places = of_split[0], [of_split[1]]
    else:
        return (ParsedAffiliation(role=line.strip()),)

    organization, short_name = _acronym(_strip_article(places[0]))
    parent = _acronym(_strip_article(places[1]))[0] if len(places) > 1 else None
    return tuple(
        ParsedAffiliation(
            role=single_role,
            organization=organization,
            short_name=short_name,
            parent=parent,
            city=city,
        )
        for single_role in _split_roles(role.strip())
    )


def _names_org_before_city(segments: list[str], known: set[str]) -> bool:
    """Whether the segments already name an organization, so a last "Tallinn" is a city.

    "Role, Organization, City" or "Role at Organization, City" or "Role of Organization, City";
    in "Director of Studies, Notre Europe" the last segment is the organization.
    """
    if len(segments) >= 2:
        return _is_org(segments[-1], known)
    text = segments[0]
    if " at " in text:
        return _is_org(text.rsplit(" at ", 1)[1], known)
    of_split = _of_form(text, known)
    return of_split is not None and _is_specific(of_split[1], known)


def _is_specific(name: str, known: set[str]) -> bool:
    """A proper organization name, not a generic unit word ("Studies", "Programme")."""
    return _plain(name) in known or any(
        word[:1].isupper() and word not in ORG_WORDS and word not in ROLE_WORDS
        for word in name.split()
    )


def _comma_segments(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            segments.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    segments.append("".join(current).strip())
    return [s for s in segments if s]


def _plain(name: str) -> str:
    return name.replace("’", "'").casefold()


def _known(text: str, known: set[str]) -> bool:
    return _plain(_acronym(_strip_article(text))[0]) in known


def _is_org(text: str, known: set[str]) -> bool:
    name = _acronym(_strip_article(text))[0]
    return _plain(name) in known or any(word in ORG_WORDS for word in re.split(r"[\s-]+", name))


def _starts_with_role(text: str) -> bool:
    return text.split(" ", 1)[0] in ROLE_WORDS


def _strip_article(text: str) -> str:
    return text.removeprefix("the ").removeprefix("The ").strip()


def _acronym(text: str) -> tuple[str, str | None]:
    match = _ACRONYM.fullmatch(text)
    return (match["name"], match["short"]) if match else (text, None)


def _of_form(text: str, known: set[str]) -> tuple[str, str] | None:
    """ "Director of Carnegie Europe" -> ("Director", "Carnegie Europe"), if the tail is an org.
    "Head of Programmes of the Nordic Foundation" and "Adviser to the Ministry of Finance" too:
    after "of the" or "to the", a known name or one shaped like an organization's, the last
    such split first ("Programmes of the ..." is not the organization)."""
    # The last such split first: "Member of the Board of the Example Foundation".
    for match in reversed(list(re.finditer(r" (?:of|to) (?=the )", text))):
        tail = text[match.end() :]
        if _org_shaped(tail, known):
            return text[: match.start()], tail
    parts = text.split(" of ")
    for index in range(1, len(parts)):
        tail = " of ".join(parts[index:])
        if tail[:1].isupper() and _is_org(tail, known):
            return " of ".join(parts[:index]), tail
    return None


def _org_shaped(text: str, known: set[str]) -> bool:
    """A known name, or capitalised words (connectors such as "for" between them) holding an
    institution noun, with at most an acronym in parentheses after them: "the Baltic
    Institute for Strategic Dialogue (BISD)", not "the European Parliament (Greens/EFA)"."""
    name = _strip_article(text)
    if _plain(name) in known:
        return True
    if "(" in name:
        bare, short = _acronym(name)
        if short is None:
            return False
        name = bare
    words = re.split(r"[\s-]+", name)
    return (
        words[0][:1].isupper()
        and all(word[:1].isupper() or word in _CONNECTORS for word in words)
        and any(word in ORG_WORDS for word in words)
    )


def _split_roles(role: str) -> list[str]:
    """ "Senior Fellow and Director of X" -> two roles; "Head of Order and Governance" stays."""
    left, sep, right = role.partition(" and ")
    if sep and not re.search(r" (of|for|in|at|on) ", left) and _starts_with_role(right):
        return [left, *_split_roles(right)]
    return [role]
