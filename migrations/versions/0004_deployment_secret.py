"""a per-deployment secret for signing list cursors

Revision ID: 0004
Revises: 0003

The cursor key was a constant in the source, so anyone could sign a cursor. A random key is
generated here, once per database, so every worker and replica of a deployment signs and
checks cursors alike; `ROUNDUP_CURSOR_SECRET` overrides it.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        'deployment_secret',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_deployment_secret')),
    )
    op.bulk_insert(table, [{'name': 'cursor', 'value': secrets.token_urlsafe(32)}])


def downgrade() -> None:
    op.drop_table('deployment_secret')
