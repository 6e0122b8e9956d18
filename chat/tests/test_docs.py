"""docs/realtime.md documents every event the code knows, with its schema."""

import json
import re
from pathlib import Path

from chat.events import SERVER_SCHEMAS, client_schemas

DOC = (Path(__file__).resolve().parents[2] / "docs" / "realtime.md").read_text()


def _documented_schemas() -> dict[str, list[dict[str, object]]]:
    schemas: dict[str, list[dict[str, object]]] = {}
    for name, block in re.findall(r"#### `([^`]+)`.*?Schema:\n\n```json\n(.*?)\n```", DOC, re.S):
        schemas.setdefault(name, []).append(json.loads(block))
    return schemas


def _without_meta(schema: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in schema.items() if key not in {"$schema", "title"}}


def test_every_client_and_server_event_is_documented_with_its_schema() -> None:
    documented = _documented_schemas()

    for name, schema in client_schemas(message_max_length=2000).items():
        assert _without_meta(schema) in documented[name], name
    for name, schema in SERVER_SCHEMAS.items():
        assert _without_meta(schema) in documented[name], name
