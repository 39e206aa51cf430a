"""Events (what happened, as a snapshot of the object) and webhook endpoints (who hears about it). Delivery itself
is in webhooks.py."""
from __future__ import annotations

import json
import time
from typing import Callable

from . import API_VERSION
from .common import NO_CTX, Ctx, Raw, dumps, new_id
from .errors import bad_param, missing, no_such
from .params import created_filter, p_bool, p_list, p_metadata, p_str
from . import schema
from .schema import BOOL, EXPAND, MAP, STR
from .store import Table, paginate

CLI_DESCRIPTION = "registered by CLI"

# ---- parameters of each endpoint (schema.py)
EVENT_LIST = {**schema.LIST, "type": STR, "types": [STR], "delivery_success": BOOL}
WEBHOOK_FIELDS = {"url": STR, "enabled_events": [STR], "description": STR, "metadata": MAP, **EXPAND}
WEBHOOK_CREATE = {**WEBHOOK_FIELDS, "api_version": STR}
WEBHOOK_UPDATE = {**WEBHOOK_FIELDS, "disabled": BOOL}
WEBHOOK_LIST = {k: v for k, v in schema.LIST.items() if k != "created"}


class Events:
    TABLES = {
        "events": Table(),            # evt id -> record {id, type, created, request, pending, obj (JSON text)}
        "event_ids": Table(list),     # oldest first
        "webhook_secrets": Table(),   # we id -> whsec
    }
    on_event: Callable[[dict, list], None] | None = None   # set by the webhook dispatcher

    # ---- events
    def emit(self, type_: str, obj: dict, ctx: Ctx = NO_CTX, previous: dict | None = None) -> dict:
        """Record an event with a snapshot of `obj` (and, for *.updated, the changed fields' old values)."""
        eid = new_id("evt_")
        endpoints = self.matching_endpoints(type_)
        rec = {
            "id": eid, "type": type_, "created": int(time.time()),
            "request": {"id": ctx.request_id, "idempotency_key": ctx.idem_key},
            "pending": len(endpoints), "obj": dumps(obj),
        }
        if previous is not None:
            rec["prev"] = dumps(previous)
        self.events[eid] = rec
        self.event_ids.append(eid)
        if endpoints and self.on_event:
            self.on_event(rec, endpoints)
        return rec

    def emit_updated(self, type_: str, obj: dict, before: dict, ctx: Ctx = NO_CTX) -> dict:
        """A `*.updated` event: `before` is a copy of `obj` taken before the change (see `copy_of`)."""
        previous = {k: v for k, v in before.items() if obj.get(k) != v}
        return self.emit(type_, obj, ctx, previous)

    @staticmethod
    def copy_of(obj: dict) -> dict:
        return json.loads(dumps(obj))

    @staticmethod
    def render_event(rec: dict) -> str:
        prev = rec.get("prev")
        data = rec["obj"] if prev is None else '%s,"previous_attributes":%s' % (rec["obj"], prev)
        return ('{"id":"%s","object":"event","api_version":"%s","created":%d,"data":{"object":%s},'
                '"livemode":false,"pending_webhooks":%d,"request":%s,"type":"%s"}'
                % (rec["id"], API_VERSION, rec["created"], data, rec["pending"], dumps(rec["request"]),
                   rec["type"]))

    def matching_endpoints(self, type_: str) -> list[dict]:
        out = []
        for wid in self.index.get("webhook_endpoint", ()):
            we = self.objects[wid]
            if we["status"] != "enabled":
                continue
            ev = we["enabled_events"]
            if "*" in ev or type_ in ev or (type_.split(".")[0] + ".*") in ev:
                out.append(we)
        return out

    def event_get(self, eid: str) -> Raw:
        rec = self.events.get(eid)
        if rec is None:
            raise no_such("event", eid)
        return Raw(self.render_event(rec))

    def event_list(self, ctx: Ctx, p: dict) -> Raw:
        types = set(t for t in p_list(p, "types") if t)
        t1 = p_str(p, "type")
        cpred = created_filter(p)

        def want(rec):
            t = rec["type"]
            if t1 and not (t == t1 or (t1.endswith("*") and t.startswith(t1[:-1]))):
                return False
            if types and t not in types:
                return False
            return not cpred or cpred(rec["created"])

        matched = [self.events[e] for e in reversed(self.event_ids) if want(self.events[e])]
        out, more = paginate(matched, p, "event")
        return Raw('{"object":"list","data":[%s],"has_more":%s,"url":"/v1/events"}'
                   % (",".join(self.render_event(r) for r in out), "true" if more else "false"))

    # ---- webhook endpoints
    def new_webhook_endpoint(self, url: str, events: list, secret: str | None = None, description=None,
                             metadata=None, api_version=None) -> dict:
        we = {"id": new_id("we_"), "object": "webhook_endpoint", "api_version": api_version, "application": None,
              "created": int(time.time()), "description": description, "enabled_events": events,
              "livemode": False, "metadata": metadata or {}, "status": "enabled", "url": url}
        self.put(we)
        self.webhook_secrets[we["id"]] = secret or ("whsec_" + new_id("", 32))
        return we

    def cli_endpoints(self) -> list[tuple[dict, str]]:
        """The endpoints registered by this run's CLI flags, with their secrets."""
        return [(self.objects[i], self.webhook_secrets[i]) for i in self.cli_endpoint_ids if i in self.objects]

    def register_cli_endpoints(self, keep: list[tuple[dict, str]] | None = None) -> None:
        """(Re)register the CLI's endpoints: the given ones (same ids) or fresh ones from the config."""
        self.cli_endpoint_ids = []
        if keep is None:
            keep = [(self.new_webhook_endpoint(url, ["*"], secret=secret, description=CLI_DESCRIPTION), secret)
                    for url, secret in self.config.webhooks]
        for we, secret in keep:
            if we["id"] not in self.objects:
                self.put(we)
            self.webhook_secrets[we["id"]] = secret
            self.cli_endpoint_ids.append(we["id"])

    def drop_saved_cli_endpoints(self, urls: set[str]) -> None:
        """Saved endpoints that this run's CLI flags replace (same url, or saved as CLI endpoints)."""
        for wid in list(self.index.get("webhook_endpoint", [])):
            we = self.objects.get(wid)
            if we and (we["url"] in urls or we.get("description") == CLI_DESCRIPTION):
                self.remove(wid)
                self.webhook_secrets.pop(wid, None)

    def webhook_create(self, ctx: Ctx, p: dict) -> dict:
        url = p_str(p, "url", required=True)
        if not (url.startswith("http://") or url.startswith("https://")):
            raise bad_param("Invalid URL: must be an http(s) URL", "url", "url_invalid")
        events = [e for e in p_list(p, "enabled_events") if e]
        if not events:
            raise missing("enabled_events")
        we = self.new_webhook_endpoint(url, events, description=p_str(p, "description"), metadata=p_metadata(p),
                                       api_version=p_str(p, "api_version"))
        out = dict(we)
        out["secret"] = self.webhook_secrets[we["id"]]
        return out

    def webhook_get(self, wid: str) -> dict:
        return self.get(wid, "webhook_endpoint", "webhook endpoint")

    def webhook_update(self, ctx: Ctx, p: dict, wid: str) -> dict:
        we = self.webhook_get(wid)
        if "url" in p:
            we["url"] = p_str(p, "url")
        if "enabled_events" in p:
            we["enabled_events"] = [e for e in p_list(p, "enabled_events") if e]
        if "disabled" in p:
            we["status"] = "disabled" if p_bool(p, "disabled") else "enabled"
        if "description" in p:
            we["description"] = p["description"] or None
        we["metadata"] = p_metadata(p, we["metadata"])
        return we

    def webhook_delete(self, ctx: Ctx, p: dict, wid: str) -> dict:
        self.webhook_get(wid)
        self.remove(wid)
        self.webhook_secrets.pop(wid, None)     # a delivery in flight stops retrying
        if wid in self.cli_endpoint_ids:
            self.cli_endpoint_ids.remove(wid)
        return {"id": wid, "object": "webhook_endpoint", "deleted": True}
