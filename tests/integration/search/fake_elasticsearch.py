"""A stand-in Elasticsearch node for the official client, because no cluster can run on the test machines.

It sits below the client (as an elastic_transport node), so what it records is exactly the HTTP the
client sends: methods, paths and JSON bodies. It keeps indices, aliases and documents so indexing
and the alias swap can be checked; it does not evaluate queries: searches answer what a test
queues with `respond_to_search`. Behaviour of real queries is checked by the behaviour suite
against a real cluster when ELASTICSEARCH_URL is set.
"""
from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse


class FakeCluster:
    def __init__(self):
        self.requests: list[tuple[str, str, object]] = []
        self.indices: dict[str, dict] = {}  # name -> {"aliases": set, "docs": {id: source}, "settings", "mappings"}
        self.search_responses: list[dict] = []

    def respond_to_search(self, hits: list[dict], aggregations: dict | None = None) -> None:
        self.search_responses.append({"hits": {"hits": hits}, **({"aggregations": aggregations} if aggregations else {})})

    def requests_to(self, method: str, path_end: str) -> list:
        return [body for m, p, body in self.requests if m == method and p.endswith(path_end)]

    def resolve(self, name: str) -> list[str]:
        if name in self.indices:
            return [name]
        return [n for n, i in self.indices.items() if name in i["aliases"]]

    def docs(self, name: str) -> dict:
        found = {}
        for index in self.resolve(name):
            found.update(self.indices[index]["docs"])
        return found

    # -- the HTTP API, as far as the backend uses it ------------------------------------------

    def handle(self, method: str, target: str, body: bytes | None) -> tuple[int, object]:
        path = urlsplit(target).path
        parts = [p for p in path.split("/") if p]
        if path.endswith("/_bulk") or path == "/_bulk":
            return self._bulk(body)
        payload = json.loads(body) if body else None
        self.requests.append((method, path, payload))
        if method == "PUT" and len(parts) == 1:
            self.indices[parts[0]] = {"aliases": set((payload or {}).get("aliases", {})), "docs": {},
                                      "settings": (payload or {}).get("settings"),
                                      "mappings": (payload or {}).get("mappings")}
            return 200, {"acknowledged": True, "index": parts[0]}
        if method == "GET" and len(parts) == 2 and parts[0] == "_alias":
            found = {n: {"aliases": {parts[1]: {}}} for n, i in self.indices.items() if parts[1] in i["aliases"]}
            return (200, found) if found else (404, {"error": "alias missing", "status": 404})
        if method == "POST" and parts == ["_aliases"]:
            for action in payload["actions"]:
                (verb, spec), = action.items()
                aliases = self.indices[spec["index"]]["aliases"]
                aliases.add(spec["alias"]) if verb == "add" else aliases.discard(spec["alias"])
            return 200, {"acknowledged": True}
        if method == "DELETE" and len(parts) == 1:
            self.indices.pop(parts[0], None)
            return 200, {"acknowledged": True}
        if parts[-1:] == ["_search"]:
            if not self.resolve(parts[0]):
                return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
            return 200, (self.search_responses.pop(0) if self.search_responses else {"hits": {"hits": []}})
        if parts[-1:] == ["_delete_by_query"]:
            flt = payload["query"]["bool"]
            shop_ids = set(flt["filter"][0]["terms"]["shop_id"])
            keep = set(flt["must_not"][0]["ids"]["values"])
            deleted = 0
            for index in self.resolve(parts[0]):
                docs = self.indices[index]["docs"]
                for doc_id in [d for d, s in docs.items() if s["shop_id"] in shop_ids and d not in keep]:
                    del docs[doc_id]
                    deleted += 1
            return 200, {"deleted": deleted}
        if parts[-1:] in (["_settings"], ["_refresh"]):
            return 200, {"acknowledged": True}
        return 400, {"error": f"the fake does not know {method} {path}"}

    def _bulk(self, body: bytes) -> tuple[int, object]:
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        self.requests.append(("POST", "/_bulk", lines))
        items, i = [], 0
        while i < len(lines):
            (op, meta), = lines[i].items()
            index = (self.resolve(meta["_index"]) or [meta["_index"]])[0]
            docs = self.indices.setdefault(index, {"aliases": set(), "docs": {}})["docs"]
            if op == "delete":
                docs.pop(meta["_id"], None)
                i += 1
            else:
                docs[meta["_id"]] = lines[i + 1]
                i += 2
            items.append({op: {"_index": index, "_id": meta["_id"], "status": 200}})
        return 200, {"errors": False, "took": 1, "items": items}


class FakeNode(BaseNode):
    """Pass as `node_class`; set `FakeNode.cluster` first."""

    _CLIENT_META_HTTP_CLIENT = ("fake", "1.0")
    cluster: FakeCluster

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        status, payload = self.cluster.handle(method, target, body)
        meta = ApiResponseMeta(status=status, http_version="1.1", duration=0.0, node=self.config,
                               headers=HttpHeaders({"content-type": "application/json",
                                                    "x-elastic-product": "Elasticsearch"}))
        return NodeApiResponse(meta, json.dumps(payload).encode())

    def close(self):
        pass
