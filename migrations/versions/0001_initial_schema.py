"""initial schema

Revision ID: 0001
Revises: 
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('series', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('dek', sa.Text(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('publisher', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('image_credit', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('disclaimer', sa.Text(), nullable=True),
    sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('source_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('loaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article')),
    sa.UniqueConstraint('slug', name=op.f('uq_article_slug'))
    )
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_published_on'), ['published_on'], unique=False)

    op.create_table('dataset_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataset_state'))
    )
    op.create_table('expert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert')),
    sa.UniqueConstraint('slug', name=op.f('uq_expert_slug'))
    )
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('short_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['organization.id'], name=op.f('fk_organization_parent_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('slug', name=op.f('uq_organization_slug'))
    )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_parent_id'), ['parent_id'], unique=False)

    op.create_table('tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag')),
    sa.UniqueConstraint('slug', name=op.f('uq_tag_slug'))
    )
    op.create_table('affiliation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_affiliation_expert_id_expert')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_affiliation_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_affiliation')),
    sa.UniqueConstraint('expert_id', 'organization_id', 'role', name=op.f('uq_affiliation_expert_id_organization_id_role'))
    )
    with op.batch_alter_table('affiliation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_affiliation_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_affiliation_organization_id'), ['organization_id'], unique=False)

    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('affiliation_line', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('stance', sa.Enum('yes', 'yes_conditional', 'not_yet', 'no', 'mixed', 'unclear', name='stance', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('stance_phrase', sa.Text(), nullable=True),
    sa.Column('stance_source', sa.Enum('curated', 'rules', name='stance_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_response_article_id_article')),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_response_expert_id_expert')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sa.UniqueConstraint('article_id', 'expert_id', name=op.f('uq_response_article_id_expert_id')),
    sa.UniqueConstraint('article_id', 'position', name=op.f('uq_response_article_id_position'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_stance'), ['stance'], unique=False)

    op.create_table('argument',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('claim', 'recommendation', 'condition', 'prediction', name='kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('annotation_source', sa.Enum('curated', 'rules', name='annotation_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_argument_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_argument')),
    sa.UniqueConstraint('response_id', 'position', name=op.f('uq_argument_response_id_position'))
    )
    with op.batch_alter_table('argument', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_argument_response_id'), ['response_id'], unique=False)

    op.create_table('response_affiliation',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('affiliation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['affiliation_id'], ['affiliation.id'], name=op.f('fk_response_affiliation_affiliation_id_affiliation')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_response_affiliation_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'position', name=op.f('pk_response_affiliation'))
    )
    with op.batch_alter_table('response_affiliation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_affiliation_affiliation_id'), ['affiliation_id'], unique=False)

    op.create_table('argument_tag',
    sa.Column('argument_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['argument_id'], ['argument.id'], name=op.f('fk_argument_tag_argument_id_argument'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_argument_tag_tag_id_tag')),
    sa.PrimaryKeyConstraint('argument_id', 'tag_id', name=op.f('pk_argument_tag'))
    )
    with op.batch_alter_table('argument_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_argument_tag_tag_id'), ['tag_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('argument_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_argument_tag_tag_id'))

    op.drop_table('argument_tag')
    with op.batch_alter_table('response_affiliation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_affiliation_affiliation_id'))

    op.drop_table('response_affiliation')
    with op.batch_alter_table('argument', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_argument_response_id'))

    op.drop_table('argument')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_stance'))
        batch_op.drop_index(batch_op.f('ix_response_expert_id'))
        batch_op.drop_index(batch_op.f('ix_response_article_id'))

    op.drop_table('response')
    with op.batch_alter_table('affiliation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_affiliation_organization_id'))
        batch_op.drop_index(batch_op.f('ix_affiliation_expert_id'))

    op.drop_table('affiliation')
    op.drop_table('tag')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_parent_id'))

    op.drop_table('organization')
    op.drop_table('expert')
    op.drop_table('dataset_state')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_published_on'))

    op.drop_table('article')
