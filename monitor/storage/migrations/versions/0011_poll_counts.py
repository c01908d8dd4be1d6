"""poll counts per platform, day and outcome

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "poll_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_counts")),
        sa.UniqueConstraint("platform", "day", "outcome", name=op.f("uq_poll_counts_platform")),
    )


def downgrade() -> None:
    op.drop_table("poll_counts")
