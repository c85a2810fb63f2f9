"""The intake engine: validates, de-duplicates, links and writes records in bulk.

Records are taken in chunks; each chunk is validated, grouped by type and written
owners-first (shops, agents, customers, orders, conversations, messages ...) with one
bulk insert and one bulk update per type, inside one transaction. Each record's
digest decides created / updated / unchanged, which makes every import idempotent.

References that arrive early are never dropped:
- a record whose *owner* is unknown (a customer before its shop, a message before its
  conversation, a status change before its agent) waits as a ``PendingRecord`` and is
  written when its owner arrives;
- other references (a conversation's customer, order or agent; a message's agent; an
  order's customer ...) keep the source id and are linked by one UPDATE per reference
  at the end of the import, once the target is there.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from kefu.accounts.models import Team
from kefu.core.bulk import rows_by_ext_id, rows_insert
from kefu.intake.handlers import HANDLERS, MODEL_OF_TYPE, TYPE_ORDER, Handler, default_stage
from kefu.intake.models import PendingRecord
from kefu.intake.schema import RecordError, record_validate
from kefu.intake.selectors import unresolved_counts, unresolved_reference_rows
from kefu.metrics.models import MarkKind
from kefu.metrics.rollups import marks_add
from kefu.shops.models import Shop

CHUNK_SIZE = 10000
# Types other records point at: their new rows' ids are looked up right after the insert.
REFERENCED_TYPES = {"shop", "agent", "customer", "order", "conversation"}
LOOKUP_BATCH = 2000
RAW_KEEP = 2000  # characters of a rejected record kept for the supervisor to look at


@dataclass
class Rejection:
    line: int
    type: str
    id: str
    reason: str
    raw: str = ""

    def as_dict(self) -> dict:
        return {"line": self.line, "type": self.type, "id": self.id, "reason": self.reason}


@dataclass
class IntakeSummary:
    """What one import did, per record type (the ``kefu import --format json`` shape)."""

    records: int = 0
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    rejected: list[Rejection] = field(default_factory=list)
    unresolved: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "created": dict(sorted(self.created.items())),
            "updated": dict(sorted(self.updated.items())),
            "unchanged": dict(sorted(self.unchanged.items())),
            "rejected": [r.as_dict() for r in self.rejected],
            "unresolved": dict(sorted(self.unresolved.items())),
        }


def record_digest(raw: dict) -> str:
    return hashlib.md5(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _raw_text(raw: Any) -> str:
    if isinstance(raw, RecordError):
        return ""
    try:
        return orjson.dumps(raw).decode()[:RAW_KEEP]
    except TypeError:
        return repr(raw)[:RAW_KEEP]


@dataclass
class _Planned:
    line: int
    ext: str
    shop_pk: int | None
    owner_pk: int | None
    clean: dict
    raw: dict
    digest: str
    pk: int | None = None  # set when the record exists already


class Intake:
    """One import: feed it (line, record) pairs, then ``finish()`` for the summary.

    ``scope`` limits every record to one shop (a shop-scoped API token)."""

    def __init__(self, *, scope: Shop | None = None):
        self.scope = scope
        self.summary = IntakeSummary()
        self.now = timezone.now()
        # type -> source id -> {shop pk (None for shop-less rows): row pk}
        self._index: dict[str, dict[str, dict[int | None, int]]] = defaultdict(dict)
        self._queried: dict[str, set[str]] = defaultdict(set)
        self._teams: dict[str, int] = {}
        self._written_types: set[str] = set()
        self._dangling: set[tuple[str, str]] = set()
        self._pending_exist = PendingRecord.objects.exists()
        self._was_empty: dict[str, bool] = {}
        self._parked: list[PendingRecord] = []
        # (kind, shop pk, key) of everything whose metric rollups this import changes
        self._marks: set[tuple[str, int, str]] = set()

    # ---- feeding -------------------------------------------------------------------

    def feed(self, items: Iterable[tuple[int, Any]], *, replay: bool = False) -> None:
        chunk: list[tuple[int, Any]] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= CHUNK_SIZE:
                self._process(chunk, replay=replay)
                chunk = []
        if chunk:
            self._process(chunk, replay=replay)

    def finish(self) -> IntakeSummary:
        self._replay_pending()
        self._link_references()
        self.summary.unresolved = unresolved_counts(shop_ids=[self.scope.pk] if self.scope else None)
        return self.summary

    def _reject(self, line: int, raw: Any, reason: str) -> None:
        kind = raw.get("type") if isinstance(raw, dict) else None
        ext = raw.get("id") if isinstance(raw, dict) else None
        self.summary.rejected.append(
            Rejection(
                line=line,
                type=kind if isinstance(kind, str) else "",
                id=str(ext) if isinstance(ext, (str, int)) and not isinstance(ext, bool) else "",
                reason=reason,
                raw=_raw_text(raw),
            )
        )

    def _process(self, chunk: list[tuple[int, Any]], *, replay: bool) -> None:
        by_type: dict[str, list[tuple[int, dict, dict]]] = defaultdict(list)
        for line, raw in chunk:
            if not replay:
                self.summary.records += 1
            if isinstance(raw, RecordError):
                self._reject(line, None, str(raw))
                continue
            try:
                kind, clean = record_validate(raw)
            except RecordError as error:
                self._reject(line, raw, str(error))
                continue
            by_type[kind].append((line, clean, raw))
        for attempt in (1, 2):
            before = self._counts_snapshot()
            self._marks = set()
            try:
                with transaction.atomic():
                    _relax_commit()
                    for kind in TYPE_ORDER:
                        if by_type.get(kind):
                            self._write(HANDLERS[kind], by_type[kind])
                    if self._marks:  # in the same transaction as the data they describe
                        marks_add(self._marks)
                return
            except IntegrityError:
                # Another import inserted one of these records since we looked: forget what
                # we knew and write the chunk again, now as updates of the other's rows.
                if attempt == 2:
                    raise
                self._counts_restore(before)
                self._index.clear()
                self._queried.clear()
                self._was_empty.clear()

    def _counts_snapshot(self) -> tuple:
        s = self.summary
        return (Counter(s.created), Counter(s.updated), Counter(s.unchanged), len(s.rejected),
                set(self._written_types), set(self._dangling))

    def _counts_restore(self, snapshot: tuple) -> None:
        s = self.summary
        s.created, s.updated, s.unchanged, rejected, self._written_types, self._dangling = snapshot
        del s.rejected[rejected:]

    # ---- lookups -------------------------------------------------------------------

    def _remember(self, kind: str, ext: str, shop_pk: int | None, pk: int) -> None:
        self._index[kind].setdefault(ext, {})[shop_pk] = pk

    def _prefetch(self, kind: str, exts: Iterable[str]) -> None:
        """Load the rows of ``kind`` with these source ids (every shop) into the index."""
        if self._empty_at_start(kind):
            return  # a first load: only rows of this import exist, and the index has them
        missing = [ext for ext in set(exts) if ext not in self._queried[kind]]
        for ext, pk, shop_pk in rows_by_ext_id(MODEL_OF_TYPE[kind], missing):
            self._remember(kind, ext, shop_pk, pk)
        self._queried[kind].update(missing)

    def _empty_at_start(self, kind: str) -> bool:
        if kind not in self._was_empty:
            self._was_empty[kind] = not MODEL_OF_TYPE[kind].objects.exists()
        return self._was_empty[kind]

    def _candidates(self, kind: str, ext: str) -> dict[int | None, int]:
        found = self._index[kind].get(ext, {})
        if self.scope is not None:
            return {shop: pk for shop, pk in found.items() if shop == self.scope.pk}
        return found

    def _lookup(self, kind: str, shop_pk: int | None, ext: str) -> int | None:
        found = self._index[kind].get(ext)
        if not found:
            return None
        if shop_pk in found:
            return found[shop_pk]
        # An agent without a shop serves every shop.
        return found.get(None) if kind == "agent" else None

    def _team_pk(self, name: str) -> int:
        if name not in self._teams:
            self._teams[name] = Team.objects.get_or_create(name=name)[0].pk
        return self._teams[name]

    # ---- owners --------------------------------------------------------------------

    def _resolve_owner(self, handler: Handler, line: int, clean: dict, raw: dict):
        """Returns (shop pk, owner row pk), or None after rejecting or parking the record."""
        if handler.owner is None:  # the shop record itself
            if self.scope is not None and clean["id"] != self.scope.ext_id:
                self._reject(line, raw, f"shop {clean['id']!r} is outside this token's shop {self.scope.ext_id!r}")
                return None
            return None, None
        if handler.owner == "shop":
            shop_ext = clean.get("shop_id")
            if shop_ext is None:  # an agent without a shop
                return (self.scope.pk if self.scope else None), None
            if self.scope is not None and shop_ext != self.scope.ext_id:
                self._reject(line, raw, f"shop_id {shop_ext!r} is outside this token's shop {self.scope.ext_id!r}")
                return None
            shops = self._index["shop"].get(shop_ext)
            if not shops:
                self._park(handler.type, clean, raw, "shop", shop_ext)
                return None
            return shops[None], None
        # conversation (of a message) or agent (of a status change)
        ref_field = "conversation_id" if handler.owner == "conversation" else "agent_id"
        ext = clean[ref_field]
        candidates = self._candidates(handler.owner, ext)
        if "shop_id" in clean:
            shop_pk = (self._index["shop"].get(clean["shop_id"]) or {}).get(None)
            candidates = {shop: pk for shop, pk in candidates.items() if shop == shop_pk}
        if not candidates:
            self._park(handler.type, clean, raw, handler.owner, ext)
            return None
        if len(candidates) > 1:
            self._reject(line, raw, f"{ref_field} {ext!r} exists in several shops; add shop_id to the record")
            return None
        ((shop_pk, owner_pk),) = candidates.items()
        return shop_pk, owner_pk

    def _park(self, kind: str, clean: dict, raw: dict, ref_type: str, ref_ext: str) -> None:
        scope = self.scope.pk if self.scope else None
        self._parked.append(
            PendingRecord(
                key=f"{scope or ''}:{kind}:{clean['id']}",
                type=kind,
                ext_id=clean["id"],
                ref_type=ref_type,
                ref_ext=ref_ext,
                scope_id=scope,
                payload=raw,
            )
        )

    # ---- writing -------------------------------------------------------------------

    def _write(self, handler: Handler, rows: list[tuple[int, dict, dict]]) -> None:
        kind = handler.type
        self._parked: list[PendingRecord] = []
        if handler.owner:
            self._prefetch(handler.owner, (clean.get(_owner_field(handler)) for _, clean, _ in rows if clean.get(_owner_field(handler))))
        self._prefetch(kind, (clean["id"] for _, clean, _ in rows))
        for ref in handler.refs:
            self._prefetch(ref.target, (clean[ref.source] for _, clean, _ in rows if ref.source in clean))
        if kind == "message" or kind == "agent_status":
            self._prefetch("shop", (clean["shop_id"] for _, clean, _ in rows if "shop_id" in clean))

        planned: dict[tuple[int | None, str], _Planned] = {}
        for line, clean, raw in rows:
            owner = self._resolve_owner(handler, line, clean, raw)
            if owner is None:
                continue
            shop_pk, owner_pk = owner
            digest = record_digest(raw)
            key = (shop_pk, clean["id"])
            earlier = planned.get(key)
            if earlier is not None:  # the same record twice in one chunk: the later one wins
                if earlier.digest == digest:
                    self.summary.unchanged[kind] += 1
                    continue
                self.summary.updated[kind] += 1
                earlier.clean, earlier.raw, earlier.digest, earlier.line = clean, raw, digest, line
                earlier.owner_pk = owner_pk
                continue
            plan = _Planned(line, clean["id"], shop_pk, owner_pk, clean, raw, digest)
            plan.pk = self._lookup(kind, shop_pk, clean["id"]) if kind != "agent" else (
                self._index["agent"].get(clean["id"], {}).get(shop_pk)
            )
            planned[key] = plan

        existing = self._existing_digests(handler, [p for p in planned.values() if p.pk is not None])
        creates, updates = [], []
        for plan in planned.values():
            if plan.pk is None:
                creates.append(plan)
            elif existing.get(plan.pk) == plan.digest:
                self.summary.unchanged[kind] += 1
            else:
                updates.append(plan)
        if creates:
            ids = rows_insert(
                handler.model, [self._build(handler, plan, new=True) for plan in creates],
                want_ids=kind in REFERENCED_TYPES,
            )
            self._after_insert(kind, creates, ids)
            self.summary.created[kind] += len(creates)
        if updates:
            objs = [handler.model(**self._build(handler, plan, new=False)) for plan in updates]
            handler.model.objects.bulk_update(objs, _update_fields(handler), batch_size=500)
            self.summary.updated[kind] += len(updates)
        if creates or updates:
            self._written_types.add(kind)
            self._mark(kind, creates + updates)
        if self._pending_exist and (creates or updates):
            # An earlier version of a written record may still wait: it must never replay over this one.
            scope = self.scope.pk if self.scope else ""
            PendingRecord.objects.filter(key__in=[f"{scope}:{kind}:{p.ext}" for p in creates + updates]).delete()
        if self._parked:
            parked = {p.key: p for p in self._parked}  # one row per key, or PostgreSQL refuses the upsert
            PendingRecord.objects.bulk_create(
                list(parked.values()),
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["ref_type", "ref_ext", "payload", "received_at"],
            )
            self._pending_exist = True

    def _mark(self, kind: str, plans: list[_Planned]) -> None:
        """Note what the metric rollups must recompute for these written records."""
        marks = self._marks
        if kind == "message":
            marks.update((MarkKind.CONVERSATION, p.shop_pk, str(p.owner_pk)) for p in plans)
        elif kind == "conversation":
            for p in plans:
                pk = p.pk or self._lookup("conversation", p.shop_pk, p.ext)
                marks.add((MarkKind.CONVERSATION, p.shop_pk, str(pk)))
                marks.add((MarkKind.CUSTOMER, p.shop_pk, p.clean["customer_id"]))
        elif kind == "order":
            marks.update((MarkKind.CUSTOMER, p.shop_pk, p.clean["customer_id"]) for p in plans)
        elif kind in ("review", "aftersale"):
            marks.update((MarkKind.ORDER_EXT, p.shop_pk, p.clean["order_id"]) for p in plans)
        elif kind == "shop":
            marks.update((MarkKind.SHOP, p.pk, "") for p in plans if p.pk)  # service hours or timezone may differ

    def _after_insert(self, kind: str, creates: list[_Planned], ids: list[int] | None) -> None:
        """Make the new rows findable by later chunks (and, for referenced types, their ids known)."""
        if ids is not None:
            for plan, pk in zip(creates, ids):
                self._remember(kind, plan.ext, plan.shop_pk if kind != "shop" else None, pk)
            return
        exts = [plan.ext for plan in creates]
        if self._was_empty.get(kind):
            if kind in REFERENCED_TYPES:
                self._was_empty[kind] = False
                self._queried[kind].difference_update(exts)
                self._prefetch(kind, exts)
                self._was_empty[kind] = True
            else:
                for plan in creates:  # the id is not needed, only that the row exists
                    self._remember(kind, plan.ext, plan.shop_pk if kind != "shop" else None, 0)
            return
        self._queried[kind].difference_update(exts)
        if kind in REFERENCED_TYPES:
            self._prefetch(kind, exts)

    def _existing_digests(self, handler: Handler, plans: list[_Planned]) -> dict[int, str]:
        """Digests of the stored rows, by pk. Also fills in the pk of rows this import
        inserted without reading their id back (recorded as 0)."""
        exts = [p.ext for p in plans]
        shop_column = "shop_id" if handler.type != "shop" else "pk"
        stored: dict[tuple, tuple[int, str]] = {}
        for start in range(0, len(exts), LOOKUP_BATCH):
            rows = handler.model.objects.filter(ext_id__in=exts[start : start + LOOKUP_BATCH])
            for ext, shop, pk, digest in rows.values_list("ext_id", shop_column, "pk", "src_hash"):
                stored[(None if handler.type == "shop" else shop, ext)] = (pk, digest)
        digests = {}
        for plan in plans:
            pk, digest = stored.get((plan.shop_pk, plan.ext), (plan.pk, None))
            plan.pk = pk
            digests[pk] = digest
        return digests

    def _build(self, handler: Handler, plan: _Planned, *, new: bool) -> dict:
        """The row's values by attribute name (``shop_id``, ``customer_id`` ...)."""
        clean = plan.clean
        values = handler.values(clean)
        values.update(ext_id=plan.ext, src_hash=plan.digest, updated_at=self.now)
        if new:
            values["imported_at"] = self.now
        else:
            values["pk"] = plan.pk
        kind = handler.type
        if kind != "shop":
            values["shop_id"] = plan.shop_pk
        for ref in handler.refs:
            ext = clean.get(ref.source, "")
            values[f"{ref.fk}_ext"] = ext
            target = self._lookup(ref.target, plan.shop_pk, ext) if ext else None
            values[f"{ref.fk}_id"] = target
            if ext and target is None:
                self._dangling.add((kind, ref.fk))
        if kind == "conversation":
            values["stage"] = default_stage(clean)
        elif kind == "message":
            values["conversation_id"] = plan.owner_pk
        elif kind == "agent_status":
            values["agent_id"] = plan.owner_pk
        elif kind == "agent":
            values["team_id"] = self._team_pk(clean["team"]) if clean.get("team") else None
        return values

    # ---- after the last chunk ------------------------------------------------------

    def _replay_pending(self) -> None:
        """Write the waiting records whose owner has arrived (possibly in this import)."""
        if not self._pending_exist:
            return
        scope = self.scope.pk if self.scope else None
        for _ in range(3):  # owners of owners: a status change waits for an agent that waits for its shop
            ready = []
            for ref_type in ("shop", "agent", "conversation"):
                waiting = PendingRecord.objects.filter(ref_type=ref_type, scope_id=scope)
                refs = list(waiting.values_list("ref_ext", flat=True).distinct())
                if not refs:
                    continue
                self._queried[ref_type].difference_update(refs)
                self._prefetch(ref_type, refs)
                arrived = [ext for ext in refs if self._candidates(ref_type, ext)]
                for start in range(0, len(arrived), LOOKUP_BATCH):
                    ready.extend(waiting.filter(ref_ext__in=arrived[start : start + LOOKUP_BATCH]))
            if not ready:
                return
            PendingRecord.objects.filter(pk__in=[p.pk for p in ready]).delete()
            self.feed(((0, p.payload) for p in ready), replay=True)

    def _link_references(self) -> None:
        """Link kept source ids to rows that arrived after the referring record."""
        for handler in HANDLERS.values():
            for ref in handler.refs:
                if (handler.type, ref.fk) not in self._dangling and ref.target not in self._written_types:
                    continue
                target = MODEL_OF_TYPE[ref.target]
                match = target.objects.filter(ext_id=OuterRef(f"{ref.fk}_ext"))
                if ref.target == "agent":
                    match = match.filter(Q(shop_id=OuterRef("shop_id")) | Q(shop__isnull=True)).order_by(
                        F("shop_id").asc(nulls_last=True)
                    )
                else:
                    match = match.filter(shop_id=OuterRef("shop_id"))
                rows = unresolved_reference_rows(handler.model, ref.fk, shop_ids=[self.scope.pk] if self.scope else None)
                self._mark_linked(handler.type, ref.fk, rows.filter(Exists(match)))
                rows.update(**{ref.fk: Subquery(match.values("pk")[:1])})

    def _mark_linked(self, kind: str, fk: str, rows) -> None:
        """Rows about to be linked to a late arrival: their rollups change when the link
        names an agent (attribution) or an order (credit of reviews and after-sales)."""
        if fk == "agent" and kind == "message":
            marks = {(MarkKind.CONVERSATION, s, str(c)) for s, c in rows.values_list("shop_id", "conversation_id")}
        elif fk == "assigned_agent" and kind == "conversation":
            marks = {(MarkKind.CONVERSATION, s, str(c)) for s, c in rows.values_list("shop_id", "pk")}
        elif fk == "order" and kind in ("review", "aftersale"):
            marks = {(MarkKind.ORDER_EXT, s, o) for s, o in rows.values_list("shop_id", "order_ext")}
        else:
            return
        if marks:
            marks_add(marks)


def _relax_commit() -> None:
    """PostgreSQL: an import's commits do not wait for the WAL to reach disk. A crash can
    lose the last chunks but never corrupts anything, and importing the file again
    (idempotent) restores them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _owner_field(handler: Handler) -> str:
    return {"shop": "shop_id", "conversation": "conversation_id", "agent": "agent_id"}[handler.owner]


def _update_fields(handler: Handler) -> list[str]:
    fields = [*handler.fields, "src_hash", "updated_at"]
    for ref in handler.refs:
        fields += [ref.fk, f"{ref.fk}_ext"]
    fields += {"conversation": ["stage"], "message": ["conversation"], "agent_status": ["agent"], "agent": ["team"]}.get(
        handler.type, []
    )
    return fields
