"""photos wait for analysis; polls pause on a usage cap; notices to IT

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 14:00:00

- ``media.analysed_at`` / ``analysis_error``: a photo waits for analysis until a poll has
  analysed it (or found it cannot be fetched). Every photo stored before this revision waits:
  until now a poll analysed only the first ``max_images_per_poll`` photos it saw and stored
  the rest as seen, and the two cannot be told apart, so every stored photo is analysed again,
  oldest first, within the same per-poll cap. Flags are idempotent (a photo flagged before
  finds its flag again and sends no second alert). Photos whose address has expired are
  recorded as not fetched.
- Facebook album photos were stored as kind "other" (the connector did not ask for the
  subattachments' ``media_type``). They become photos to analyse: kind "other" rows of
  Facebook accounts whose image is on Facebook's own photo hosts (``https://scontent...``).
  Link previews (served from other hosts) stay "other".
- ``accounts.paused_until`` / ``pause_reason``: polls of an account paused until a usage cap
  resets (X's monthly cap).
- ``outbox.detail``: what a notice to IT is about (kind "notice").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALBUM_PHOTOS = """
UPDATE media SET kind = 'photo'
WHERE kind = 'other' AND url LIKE 'https://scontent%'
  AND post_id IN (
    SELECT posts.id FROM posts JOIN accounts ON accounts.id = posts.account_id
    WHERE accounts.platform = 'facebook'
  )
"""


def upgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("analysis_error", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.create_index("ix_media_waiting", ["analysed_at", "post_id"], unique=False)
    op.execute(ALBUM_PHOTOS)
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("pause_reason", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("detail")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("pause_reason")
        batch_op.drop_column("paused_until")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index("ix_media_waiting")
        batch_op.drop_column("analysis_error")
        batch_op.drop_column("analysed_at")
