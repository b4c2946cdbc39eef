#!/usr/bin/python3
"""Checks Kubernetes manifests against Kubernetes' API schema as the official Python client
(Debian's python3-kubernetes) carries it, generated from the API's OpenAPI document: every
field of every object must be one the schema has, of its type, and every required field must
be there. No cluster is needed (kubectl's --dry-run asks one for its schema).

    k8s_schema.py FILE.yaml...

autoscaling/v2 is checked against v2beta2's schema, which it took over unchanged (Kubernetes
1.23); this client predates v2."""
import sys

import kubernetes.client as k
import yaml

KINDS = {
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("v1", "Secret"): "V1Secret",
    ("v1", "Service"): "V1Service",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("policy/v1", "PodDisruptionBudget"): "V1PodDisruptionBudget",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "V2beta2HorizontalPodAutoscaler",
}
SCALARS = {"str": str, "int": int, "bool": bool, "float": (int, float)}


def check(value, kind, path, errors):
    if value is None:
        return
    if kind.startswith("list["):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list")
            return
        for i, item in enumerate(value):
            check(item, kind[5:-1], f"{path}[{i}]", errors)
    elif kind.startswith("dict("):
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map")
            return
        inner = kind[kind.index(",") + 1:-1].strip()
        for key, item in value.items():
            check(item, inner, f"{path}.{key}", errors)
    elif kind == "object":  # int-or-string, and the like
        return
    elif kind in SCALARS:
        if isinstance(value, bool) and kind != "bool" or not isinstance(value, SCALARS[kind]):
            errors.append(f"{path}: expected {kind}, got {value!r}")
    else:
        model = getattr(k, kind)
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a {kind} object")
            return
        fields = {json: attr for attr, json in model.attribute_map.items()}
        for key, item in value.items():
            if key not in fields:
                errors.append(f"{path}.{key}: no such field in {kind}")
            else:
                check(item, model.openapi_types[fields[key]], f"{path}.{key}", errors)


errors, objects = [], 0
client = k.ApiClient()
for name in sys.argv[1:]:
    for doc in yaml.safe_load_all(open(name)):
        if not doc:
            continue
        objects += 1
        what = f"{name}: {doc.get('kind')} {doc.get('metadata', {}).get('name')}"
        model = KINDS.get((doc.get("apiVersion"), doc.get("kind")))
        if not model:
            errors.append(f"{what}: no schema for {doc.get('apiVersion')} {doc.get('kind')}")
            continue
        check(doc, model, what, errors)
        try:  # the required fields: the models refuse None for them
            client._ApiClient__deserialize(doc, model)
        except ValueError as e:
            errors.append(f"{what}: {e}")
if errors:
    sys.exit("\n".join(errors))
print(f"{objects} objects, each as Kubernetes' schema has it")
