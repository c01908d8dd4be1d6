"""counsellor contact and text language

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # wellbeing.self_harm reaches the unit's counsellor (the district's when it has none).
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counsellor_email", sa.String(length=320), nullable=False, server_default="")
        )
    # The language each post and comment was identified in ("" for text stored before).
    for table in ("posts", "comments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("language", sa.String(length=16), nullable=False, server_default="")
            )


def downgrade() -> None:
    for table in ("comments", "posts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language")
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.drop_column("counsellor_email")
