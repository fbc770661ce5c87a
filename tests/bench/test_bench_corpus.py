"""The benchmark's synthetic corpus: deterministic, exact spans, the advertised shape."""

from collections import Counter

from app.ingest.text import slugify
from bench import corpus


def test_same_seed_same_corpus_and_a_smaller_corpus_is_a_prefix() -> None:
    small = list(corpus.build(3).documents())
    large = list(corpus.build(5).documents())
    assert corpus.digest(small) == corpus.digest(corpus.build(3).documents())
    assert corpus.digest(large[:3]) == corpus.digest(small)
    assert corpus.digest(corpus.build(3, seed=7).documents()) != corpus.digest(small)


def test_shape_counts_and_pools() -> None:
    generated = corpus.build(6)
    documents = list(generated.documents())
    responses = [response for document in documents for response in document.responses]
    arguments = [argument for response in responses for argument in response.arguments]
    assert (len(documents), len(responses), len(arguments)) == (6, 42, 210)
    assert len(generated.catalog.organizations) == 150
    assert len({org.slug for org in generated.catalog.organizations}) == 150
    assert len({slugify(expert.name) for expert in generated.experts}) == 500
    assert len({document.document.slug for document in documents}) == 6
    assert all(len(set(argument.tags)) == 2 for argument in arguments)
    assert {tag for argument in arguments for tag in argument.tags} <= generated.catalog.tag_slugs
    words = [len(response.parsed.body.split()) for response in responses]
    assert 200 <= sum(words) / len(words) <= 300
    for document in documents:
        experts = Counter(response.parsed.expert_name for response in document.responses)
        assert max(experts.values()) == 1


def test_every_argument_and_stance_phrase_is_verbatim_and_unique_in_its_answer() -> None:
    for document in corpus.build(4).documents():
        for response in document.responses:
            body = response.parsed.body
            if response.stance_phrase is not None:
                assert body.startswith(response.stance_phrase)
            for argument in response.arguments:
                assert body[argument.start : argument.end] == argument.text
                assert body.count(argument.text) == 1
