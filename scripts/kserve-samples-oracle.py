"""An independent second opinion on KServe's sample manifests (run when re-vendoring):

    python3 scripts/kserve-samples-oracle.py > test/fixtures/kserve-samples.expected.json

PyYAML (YAML 1.1, as go-yaml) plus the jsonschema package (Draft 7) on the same
vendored schema mserve compiles with ajv, and the apiVersion KServe's CRD
serves. test/unit/kserve-samples.test.ts then requires mserve to accept exactly
the samples this accepts. Needs `pip install pyyaml jsonschema` (not a project dependency).
"""

import datetime
import json
import pathlib
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas/kserve/inferenceservice-v1beta1.json").read_text())
SAMPLES = ROOT / "test/fixtures/kserve-samples"
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


class UniqueKeyLoader(yaml.SafeLoader):
    """Refuses duplicate keys, as strict decoding does."""

    def construct_mapping(self, node, deep=False):
        keys = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            keys.add(key)
        return super().construct_mapping(node, deep)


def plain(value):
    """Timestamps stay strings in Kubernetes' JSON."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def services(doc):
    if isinstance(doc, dict) and doc.get("kind") == "InferenceService":
        yield doc
    if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List"):
        for item in doc.get("items") or []:
            if isinstance(item, dict) and item.get("kind") == "InferenceService":
                yield item


result = {}
for path in sorted(SAMPLES.rglob("*.y*ml")):
    rel = str(path.relative_to(SAMPLES))
    try:
        docs = [plain(d) for d in yaml.load_all(path.read_text(), Loader=UniqueKeyLoader)]
    except yaml.YAMLError as error:
        result[rel] = {"isvc": 0, "accepted": False, "errors": [f"YAML: {error}".splitlines()[0]]}
        continue
    found = [s for d in docs for s in services(d)]
    errors = []
    for isvc in found:
        if isvc.get("apiVersion") != "serving.kserve.io/v1beta1":
            errors.append(f"apiVersion {isvc.get('apiVersion')} not served")
            continue
        for e in VALIDATOR.iter_errors(isvc):
            errors.append(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"[:200])
    result[rel] = {"isvc": len(found), "accepted": len(found) > 0 and not errors, "errors": errors[:5]}
json.dump(result, sys.stdout, indent=2, sort_keys=True)
sys.stdout.write("\n")
