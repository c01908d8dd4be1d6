"""org unit contacts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("address", 300), ("phone", 60), ("email", 320))


def upgrade() -> None:
    # A school's own address, phone and e-mail, so pii.student never reports them.
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        for name, size in COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=size), nullable=False, server_default="")
            )


def downgrade() -> None:
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        for name, _ in COLUMNS:
            batch_op.drop_column(name)
