"""The audit log: who changed what, when. Written in the same transaction as the change it describes."""
from __future__ import annotations

import dataclasses

from sqlmodel import Session, col, select

from ..models import AuditEntry, Operator


@dataclasses.dataclass
class AuditRow:
    when: str = ""
    who: str = ""
    action: str = ""
    target: str = ""
    detail: str = ""


def record(db: Session, operator: Operator | object | None, action: str, target: str = "", detail: str = "") -> None:
    """Add an audit entry to the session (the caller commits it with its change). `operator` has .id and .email."""
    db.add(AuditEntry(operator_id=getattr(operator, "operator_id", None) or getattr(operator, "id", None),
                      operator_email=getattr(operator, "email", "") or "",
                      action=action[:64], target=target[:120], detail=detail[:2000]))


def recent(db: Session, limit: int = 200, action_prefix: str = "") -> list[AuditRow]:
    q = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(max(1, min(limit, 1000)))
    if action_prefix:
        q = q.where(col(AuditEntry.action).startswith(action_prefix))
    return [AuditRow(e.created_at.strftime("%Y-%m-%d %H:%M:%S"), e.operator_email or "(system)", e.action,
                     e.target, e.detail) for e in db.exec(q)]


def recent_for(db: Session, target: str, limit: int = 100) -> list[AuditRow]:
    q = select(AuditEntry).where(AuditEntry.target == target).order_by(col(AuditEntry.id).desc()).limit(limit)
    return [AuditRow(e.created_at.strftime("%Y-%m-%d %H:%M:%S"), e.operator_email or "(system)", e.action,
                     e.target, e.detail) for e in db.exec(q)]
