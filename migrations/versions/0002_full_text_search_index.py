"""full-text search index

Revision ID: 0002
Revises: 0001

`search_document` holds one row per searchable text (article title and dek, each answer, each
argument) with its folded tokens in `terms`; the loader keeps it in step with the data.
SQLite: an external-content FTS5 table `search_fts` over `terms`, kept in sync with
`search_document` by triggers. PostgreSQL: a GIN index on to_tsvector('simple', terms).
Note for later migrations: batch-altering `search_document` on SQLite recreates the table
and drops the triggers; recreate them (and run the FTS5 'rebuild' command).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        terms, content='search_document', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms);
        INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL_UP = [
    "CREATE INDEX ix_search_document_terms_tsvector ON search_document"
    " USING gin (to_tsvector('simple'::regconfig, terms))",
]
POSTGRESQL_DOWN = ["DROP INDEX IF EXISTS ix_search_document_terms_tsvector"]


def upgrade() -> None:
    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('article', 'response', 'argument', name='search_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('argument_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['argument_id'], ['argument.id'], name=op.f('fk_search_document_argument_id_argument'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_search_document_article_id_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_search_document_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    sa.UniqueConstraint('kind', 'item_id', name=op.f('uq_search_document_kind_item_id'))
    )
    op.create_index(op.f('ix_search_document_argument_id'), 'search_document', ['argument_id'], unique=False)
    op.create_index(op.f('ix_search_document_article_id'), 'search_document', ['article_id'], unique=False)
    op.create_index(op.f('ix_search_document_response_id'), 'search_document', ['response_id'], unique=False)
    for statement in _dialect_statements(SQLITE_UP, POSTGRESQL_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _dialect_statements(SQLITE_DOWN, POSTGRESQL_DOWN):
        op.execute(statement)
    op.drop_index(op.f('ix_search_document_response_id'), table_name='search_document')
    op.drop_index(op.f('ix_search_document_article_id'), table_name='search_document')
    op.drop_index(op.f('ix_search_document_argument_id'), table_name='search_document')
    op.drop_table('search_document')


def _dialect_statements(sqlite: list[str], postgresql: list[str]) -> list[str]:
    name = op.get_bind().dialect.name
    if name == 'sqlite':
        return sqlite
    if name == 'postgresql':
        return postgresql
    raise NotImplementedError(f'full-text search supports SQLite and PostgreSQL, not {name}')
