"""The Postman collection exported from the OpenAPI schema."""

import json
from pathlib import Path

from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from marketmate.management.commands.export_postman import METHODS


def test_the_collection_has_one_request_per_schema_operation(tmp_path: Path) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in METHODS
        if method in item
    }
    output = tmp_path / "collection.json"

    call_command("export_postman", output=output, stdout=None)

    collection = json.loads(output.read_text())
    requests = [request for folder in collection["item"] for request in folder["item"]]
    assert sorted(request["name"] for request in requests) == sorted(operations)
    assert collection["auth"]["bearer"][0]["value"] == "{{access_token}}"
    login = next(r for r in requests if r["name"] == "POST /api/v1/auth/login")
    assert login["request"]["auth"] == {"type": "noauth"}
    assert login["request"]["url"]["raw"] == "{{base_url}}/api/v1/auth/login"
    product = next(r for r in requests if r["name"] == "GET /api/v1/products/{product_id}")
    assert product["request"]["url"]["path"] == ["api", "v1", "products", ":product_id"]
