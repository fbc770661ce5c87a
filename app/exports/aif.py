"""A roundup as an Argument Interchange Format nodeset (AIFdb JSON), from its detail document.

Propositional content (I-nodes): the question; each stance taken, as the question answered
("Should Europe Negotiate with Russia? Yes, with conditions."), one node shared by every
expert who took it; each argument. Every argument supports its expert's stance through an
RA node. Dialogue (L-nodes, IAT style): the publisher asks the question (YA "Pure
Questioning"); each expert's answer, quoted by its stance phrase, follows it (TA "Default
Transition") and asserts the stance (YA "Asserting"); each argument is asserted by its
expert. Locutions tie every expert L-node to a participant. docs/api.md#aif has the table.
"""

from itertools import count

from app.filters import STANCE_LABELS
from app.models import Stance
from app.schemas import (
    AifDocument,
    AifEdge,
    AifLocution,
    AifNode,
    AifParticipant,
    ArticleDetail,
)


class _Builder:
    def __init__(self, timestamp: str) -> None:
        self.timestamp = timestamp
        self.node_ids = count(1)
        self.edge_ids = count(1)
        self.nodes: list[AifNode] = []
        self.edges: list[AifEdge] = []
        self.locutions: list[AifLocution] = []

    def node(self, kind: str, text: str) -> str:
        node_id = str(next(self.node_ids))
        self.nodes.append(
            AifNode.model_validate(
                {"nodeID": node_id, "text": text, "type": kind, "timestamp": self.timestamp}
            )
        )
        return node_id

    def edge(self, from_id: str, to_id: str) -> None:
        self.edges.append(AifEdge(edge_id=str(next(self.edge_ids)), from_id=from_id, to_id=to_id))

    def link(self, from_id: str, kind: str, text: str, to_id: str) -> str:
        """from -> S-node -> to; returns the S-node."""
        middle = self.node(kind, text)
        self.edge(from_id, middle)
        self.edge(middle, to_id)
        return middle

    def said(self, speaker: str, person_id: str | None, text: str) -> str:
        """An L-node for `speaker` saying `text`, with its locution when a person said it."""
        locution = self.node("L", f"{speaker}: {text}")
        if person_id is not None:
            self.locutions.append(
                AifLocution(node_id=locution, person_id=person_id, timestamp=self.timestamp)
            )
        return locution


def to_aif(detail: ArticleDetail) -> AifDocument:
    build = _Builder(f"{detail.published_on.isoformat()} 00:00:00")
    question = build.node("I", detail.question)
    asked = build.said(detail.publisher, None, detail.question)
    build.link(asked, "YA", "Pure Questioning", question)
    stances: dict[Stance, str] = {}
    participants = []
    for person_id, response in enumerate(detail.responses, start=1):
        firstname, _, surname = response.expert.name.rpartition(" ")
        participants.append(
            AifParticipant(participant_id=str(person_id), firstname=firstname, surname=surname)
        )
        if response.stance not in stances:
            answered = f"{detail.question} {STANCE_LABELS[response.stance]}."
            stances[response.stance] = build.node("I", answered)
        stance = stances[response.stance]
        phrase = response.stance_phrase or STANCE_LABELS[response.stance]
        answer = build.said(response.expert.name, str(person_id), phrase)
        build.link(asked, "TA", "Default Transition", answer)
        build.link(answer, "YA", "Asserting", stance)
        for argument in response.arguments:
            premise = build.node("I", argument.text)
            asserted = build.said(response.expert.name, str(person_id), argument.text)
            build.link(asserted, "YA", "Asserting", premise)
            build.link(premise, "RA", "Default Inference", stance)
    return AifDocument(
        nodes=build.nodes, edges=build.edges, locutions=build.locutions, participants=participants
    )
