"""The OpenAPI document, built from the YAML after '---' in every /api/v1 view's docstring."""
from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring
from flask import Flask

# Named schemas that docstrings refer to as {$ref: "#/components/schemas/<name>"}; packages add theirs.
SCHEMAS: dict[str, dict] = {}


def register_schema(name: str, schema: dict) -> None:
    SCHEMAS[name] = schema


def build_spec(app: Flask) -> dict:
    spec = APISpec(
        title="Merchant ecosystem API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={"description": "Stripe-style JSON: amounts in minor units with a currency, prefixed ids, "
                             "errors as {error: {type, code, message, param}}, lists with has_more."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in sorted(SCHEMAS):
        spec.components.schema(name, SCHEMAS[name])
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.endswith("openapi"):
            continue
        view = app.view_functions[rule.endpoint]
        operations = load_operations_from_docstring(view.__doc__ or "")
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", "{%s}" % arg)
            for conv in ("int", "string", "path"):
                path = path.replace(f"<{conv}:{arg}>", "{%s}" % arg)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op = operations.get(method.lower()) or {
                "summary": (view.__doc__ or rule.endpoint).strip().splitlines()[0],
                "responses": {"200": {"description": "OK"}},
            }
            if rule.arguments:
                # Path parameters are added unless the docstring declares them (it may declare others).
                params = op.setdefault("parameters", [])
                declared = {p.get("name") for p in params if isinstance(p, dict) and p.get("in") == "path"}
                params.extend({"name": a, "in": "path", "required": True, "schema": {"type": "string"}}
                              for a in sorted(rule.arguments - declared))
            paths.setdefault(path, {})[method.lower()] = op
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path])
    return spec.to_dict()
