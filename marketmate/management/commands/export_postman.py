"""Export the API's OpenAPI schema as a Postman collection (v2.1), one request per operation,
grouped by tag, with the JWT bearer token and the base URL as collection variables."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from drf_spectacular.generators import SchemaGenerator

POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
METHODS = ("get", "post", "put", "patch", "delete")


def _request(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    # OpenAPI's {id} becomes Postman's :id path variable.
    segments = [
        f":{segment[1:-1]}" if segment.startswith("{") else segment
        for segment in path.strip("/").split("/")
    ]
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": [{"key": "Accept", "value": "application/json"}],
        "url": {
            "raw": "{{base_url}}/" + "/".join(segments),
            "host": ["{{base_url}}"],
            "path": segments,
            "variable": [
                {"key": segment[1:], "value": ""} for segment in segments if segment[0] == ":"
            ],
            "query": [
                {"key": parameter["name"], "value": "", "disabled": True}
                for parameter in operation.get("parameters", [])
                if parameter.get("in") == "query"
            ],
        },
        "description": operation.get("description") or operation.get("summary", ""),
    }
    if "requestBody" in operation:
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {"mode": "raw", "raw": "{}", "options": {"raw": {"language": "json"}}}
    if not any("jwtAuth" in entry for entry in operation.get("security", [{}])):
        request["auth"] = {"type": "noauth"}
    return {"name": f"{method.upper()} {path}", "request": request, "_id": operation["operationId"]}


def postman_collection(schema: dict[str, Any]) -> dict[str, Any]:
    """A Postman v2.1 collection with one request per operation of the OpenAPI `schema`."""
    folders: dict[str, list[dict[str, Any]]] = {}
    for path, operations in schema["paths"].items():
        for method in METHODS:
            if method in operations:
                operation = operations[method]
                tag = (operation.get("tags") or ["api"])[0]
                item = _request(path, method, operation)
                item["request"]["description"] += f"\n\noperationId: {item.pop('_id')}"
                folders.setdefault(tag, []).append(item)
    return {
        "info": {
            "name": schema["info"]["title"],
            "description": "Exported from the OpenAPI schema by `manage.py export_postman`. "
            "Set `base_url`, then get a token with POST /api/v1/auth/login and put the access "
            "token in `access_token`.",
            "schema": POSTMAN_SCHEMA,
        },
        "auth": {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{access_token}}", "type": "string"}],
        },
        "variable": [
            {"key": "base_url", "value": "http://127.0.0.1:8000"},
            {"key": "access_token", "value": ""},
        ],
        "item": [{"name": tag, "item": items} for tag, items in sorted(folders.items())],
    }


class Command(BaseCommand):
    help = (
        "Write the API as a Postman collection (default docs/marketmate.postman_collection.json)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default="docs/marketmate.postman_collection.json", type=Path
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schema = SchemaGenerator().get_schema(request=None, public=True)
        collection = postman_collection(schema)
        output: Path = options["output"]
        output.write_text(json.dumps(collection, indent=2, ensure_ascii=False) + "\n")
        count = sum(len(folder["item"]) for folder in collection["item"])
        self.stdout.write(f"Wrote {count} requests to {output}.")
