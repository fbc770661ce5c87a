"""printed names, and affiliations without an organization

Revision ID: 0005
Revises: 0004

A role may be printed with no organization at all ("Independent foreign and security policy
analyst", "Journalist and author"): `affiliation.organization_id` becomes nullable. SQLite
alters the column in batch mode (the table is recreated). Downgrading deletes those
affiliations and their printed links first, since the column cannot be made NOT NULL over them.

An expert may be printed under several names ("Kris Bledowski", "Krzysztof Błędowski"):
`response.printed_name` keeps the name each roundup printed, filled from the expert's name for
the responses already loaded. Added with a server default, so no table is rebuilt (rebuilding
`response` on SQLite would cascade to its arguments).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _alter_affiliation(nullable: bool) -> None:
    """SQLite's batch mode drops and recreates `affiliation`, which `response_affiliation`
    points at; with foreign keys on (PRAGMA foreign_keys cannot change inside the migration's
    transaction) the drop would fail, so the printed links are set aside and put back."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE saved_response_affiliation AS"
                   " SELECT * FROM response_affiliation")
        op.execute("DELETE FROM response_affiliation")
    with op.batch_alter_table('affiliation') as batch_op:
        batch_op.alter_column('organization_id', existing_type=sa.Integer(), nullable=nullable)
    if sqlite:
        op.execute("INSERT INTO response_affiliation (response_id, position, affiliation_id)"
                   " SELECT response_id, position, affiliation_id FROM saved_response_affiliation")
        op.execute("DROP TABLE saved_response_affiliation")


def upgrade() -> None:
    _alter_affiliation(nullable=True)
    op.add_column(
        'response',
        sa.Column('printed_name', sa.String(length=200), server_default='', nullable=False),
    )
    op.execute(
        "UPDATE response SET printed_name ="
        " (SELECT expert.name FROM expert WHERE expert.id = response.expert_id)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE response DROP COLUMN printed_name")  # no rebuild (SQLite 3.35+)
    else:
        op.drop_column('response', 'printed_name')
    op.execute(
        "DELETE FROM response_affiliation WHERE affiliation_id IN"
        " (SELECT id FROM affiliation WHERE organization_id IS NULL)"
    )
    op.execute("DELETE FROM affiliation WHERE organization_id IS NULL")
    _alter_affiliation(nullable=False)
