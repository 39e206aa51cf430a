"""The object store: every API object by id, per-kind indexes, the private tables resources register, lists
(pagination written once), expansion, snapshot/restore."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .config import SandboxConfig
from .errors import bad_param, invalid, no_such
from .params import created_filter, p_expand, p_int, short


def _same(v):
    return v


@dataclass(frozen=True)
class Table:
    """A piece of state kept beside the objects. `factory` makes it empty; `dump`/`load` turn it into JSON and
    back for the state file."""
    factory: Callable = dict
    dump: Callable = _same
    load: Callable = _same


def _dump_idem(idem: dict) -> list:
    return [[list(k), [*v[:4], v[4].decode() if isinstance(v[4], bytes) else v[4], v[5]]] for k, v in idem.items()]


def _load_idem(rows: list) -> dict:
    return {tuple(k): tuple(v) for k, v in rows}


def list_obj(items: list, url: str, has_more: bool = False) -> dict:
    return {"object": "list", "data": items, "has_more": has_more, "url": url}


def paginate(items: list, p: dict, kind: str) -> tuple[list, bool]:
    """One page of `items` (newest first) by `limit`, `starting_after`, `ending_before`; returns (page, has_more)."""
    limit = p_int(p, "limit", default=10)
    if not 1 <= limit <= 100:
        raise bad_param("This value must be between 1 and 100.", "limit", "parameter_invalid_integer")
    for param in ("starting_after", "ending_before"):
        cursor = p.get(param)
        if not cursor:
            continue
        pos = next((i for i, o in enumerate(items) if o["id"] == cursor), None)
        if pos is None:
            raise no_such(kind, short(cursor), param)
        if param == "starting_after":
            rest = items[pos + 1:]
            return rest[:limit], len(rest) > limit
        before = items[:pos]
        return before[-limit:], len(before) > limit
    return items[:limit], len(items) > limit


class Store:
    # name -> Table; each resource class adds its own, merged over the class hierarchy by `tables()`
    TABLES = {
        "objects": Table(),                                  # every API object by id
        "index": Table(),                                    # object kind -> ids, oldest first
        "idem": Table(dump=_dump_idem, load=_load_idem),     # (api key, idem key) -> saved response
    }
    # (object kind, field) -> method name that builds the expanded value (fields that are not plain ids)
    EXPANDERS: dict[tuple[str, str], str] = {}

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.on_change: Callable[[], None] | None = None      # set by the persister
        self._expanders = self._merged("EXPANDERS")

    @classmethod
    def _merged(cls, attr: str) -> dict:
        out: dict = {}
        for klass in reversed(cls.__mro__):
            out.update(klass.__dict__.get(attr, {}))
        return out

    def tables(self) -> dict[str, Table]:
        return self._merged("TABLES")

    def clear(self) -> None:
        for name, t in self.tables().items():
            setattr(self, name, t.factory())

    def snapshot(self) -> dict:
        return {name: t.dump(getattr(self, name)) for name, t in self.tables().items()}

    def load(self, data: dict) -> None:
        for name, t in self.tables().items():
            if name in data:
                setattr(self, name, t.load(data[name]))

    def changed(self) -> None:
        if self.on_change:
            self.on_change()

    # ---- objects
    def put(self, obj: dict) -> dict:
        self.objects[obj["id"]] = obj
        self.index.setdefault(obj["object"], []).append(obj["id"])
        return obj

    def remove(self, oid: str) -> None:
        obj = self.objects.pop(oid, None)
        if obj is not None:
            try:
                self.index[obj["object"]].remove(oid)
            except (KeyError, ValueError):
                pass

    def get(self, oid, kind: str, label: str, param: str = "id") -> dict:
        obj = self.objects.get(oid) if isinstance(oid, str) else None
        if obj is None or obj.get("object") != kind:
            raise no_such(label, oid if isinstance(oid, str) else short(oid), param)
        return obj

    # ---- lists
    def list(self, kind: str, url: str, p: dict, pred: Callable[[dict], bool] | None = None) -> dict:
        cpred = created_filter(p)
        matched = []
        for oid in reversed(self.index.get(kind, [])):
            obj = self.objects.get(oid)
            if obj is None or (pred and not pred(obj)) or (cpred and not cpred(obj.get("created", 0))):
                continue
            matched.append(obj)
        out, more = paginate(matched, p, kind)
        return list_obj(self.expand_data(out, p), url, more)

    def expand_data(self, items: list, p: dict) -> list:
        exp = [e[5:] for e in p_expand(p) if e.startswith("data.")]
        return [self.expand(o, exp) for o in items] if exp else items

    # ---- expansion
    def expand(self, obj: dict, paths: list[str]) -> dict:
        if not paths:
            return obj
        obj = dict(obj)
        for path in paths:
            self._expand_path(obj, path.split("."), path)
        return obj

    def _expand_path(self, o: dict, parts: list[str], full: str) -> None:
        key, rest = parts[0], parts[1:]
        if o.get("object") == "list" and key == "data":
            o["data"] = [dict(x) for x in o["data"]]
            if rest:
                for x in o["data"]:
                    self._expand_path(x, rest, full)
            return
        val = o.get(key)
        special = self._expanders.get((o.get("object"), key))
        if special:
            val = getattr(self, special)(o)
        elif isinstance(val, str) and val in self.objects:
            val = dict(self.objects[val])
        elif isinstance(val, dict):
            val = dict(val)
        elif val is None and key in o:
            return
        else:
            raise invalid(f"This property cannot be expanded ({full}).", param="expand", cache=False)
        o[key] = val
        if rest:
            self._expand_path(val, rest, full)
