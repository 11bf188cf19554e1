"""The idempotency_keys table: a client's Idempotency-Key and the experiment it created."""

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, CreatedAtMixin

if TYPE_CHECKING:
    from models.experiment import Experiment


class IdempotencyKey(CreatedAtMixin, Base):
    """One key per owner; stored in the transaction that creates the experiment."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "" when the API runs without keys, so the uniqueness holds (NULLs never collide).
    owner: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))

    experiment: Mapped["Experiment"] = relationship(lazy="raise")
