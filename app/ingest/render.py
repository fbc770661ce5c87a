"""The JSON shape `roundup parse` prints: the parsed document with its annotations inline."""

from typing import Any

from app.ingest.document import AnnotatedDocument


def document_json(annotated: AnnotatedDocument) -> dict[str, Any]:
    document = annotated.document.model_dump(mode="json", exclude={"responses"})
    document["annotator"] = annotated.annotator.value
    document["publisher"] = annotated.publisher
    document["source_url"] = annotated.source_url
    document["source_sha256"] = annotated.source_sha256
    document["responses"] = [
        {
            **response.parsed.model_dump(mode="json"),
            "stance": response.stance.value,
            "stance_phrase": response.stance_phrase,
            "stance_source": response.stance_source.value,
            "arguments": [argument.model_dump(mode="json") for argument in response.arguments],
        }
        for response in annotated.responses
    ]
    return document
