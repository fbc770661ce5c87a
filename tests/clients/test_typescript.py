"""openapi-typescript generates types a strict consumer compiles against (no casts, lists
without narrowing, Problem on errors, the dump as bytes, an export as text), and Redocly's
recommended lint finds nothing."""

from pathlib import Path

from tests.clients.conftest import CLIENTS_DIR, node_tool, run


def test_the_typescript_consumer_compiles(openapi_file: Path) -> None:
    generated = CLIENTS_DIR / "generated" / "roundup.d.ts"
    generated.parent.mkdir(exist_ok=True)
    output = run(node_tool("openapi-typescript"), openapi_file, "--output", generated)
    assert "warn" not in output.lower(), output
    assert run(node_tool("tsc"), "--project", "tsconfig.json") == ""


def test_the_document_passes_redocly_recommended_lint(openapi_file: Path) -> None:
    output = run(
        node_tool("redocly"), "lint", "--extends=recommended", "--format=stylish", openapi_file
    )
    assert "Woohoo! Your API description is valid." in output, output
    assert "warning" not in output.lower(), output
