"""procedure: acknowledgements, administrators, staff directory, discovery candidates

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("administrators", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("password_entry", sa.String(length=200), server_default="", nullable=False)
        )
    op.create_table(
        "acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("procedure_version", sa.String(length=40), nullable=False),
        sa.Column("acknowledged_at", TS, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_acknowledgements_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgements")),
    )
    op.create_index(
        "ix_acknowledgements_email_at", "acknowledgements", ["email", "acknowledged_at"]
    )
    op.create_table(
        "admin_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", TS, nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_admin_lists_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_lists")),
        sa.UniqueConstraint("account_id", name=op.f("uq_admin_lists_account_id")),
    )
    op.create_table(
        "staff_directory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_directory")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_directory_email")),
    )
    op.create_table(
        "discovery_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=300), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=320), nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_discovery_candidates_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_discovery_candidates_org_unit_id_org_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_candidates")),
        sa.UniqueConstraint("identity", name=op.f("uq_discovery_candidates_identity")),
    )
    op.create_index(
        op.f("ix_discovery_candidates_org_unit_id"), "discovery_candidates", ["org_unit_id"]
    )
    op.create_index(op.f("ix_discovery_candidates_status"), "discovery_candidates", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_discovery_candidates_status"), table_name="discovery_candidates")
    op.drop_index(op.f("ix_discovery_candidates_org_unit_id"), table_name="discovery_candidates")
    op.drop_table("discovery_candidates")
    op.drop_table("staff_directory")
    op.drop_table("admin_lists")
    op.drop_index("ix_acknowledgements_email_at", table_name="acknowledgements")
    op.drop_table("acknowledgements")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("password_entry")
        batch_op.drop_column("administrators")
