#!/usr/bin/env python3
"""Writes the project's copy of Kafka's message schemas: facts only, no comments or prose.

Reads ../shared/kafka-protocol/{messages,metadata}/*.json (next to the repository root) and writes
src/Samsa.Protocol/Schemas/{messages,metadata}/*.json as plain JSON. The build reads only the copy.
Usage: python3 tools/copy-schemas.py [SOURCE_DIR]
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCE = os.path.join(ROOT, "..", "shared", "kafka-protocol")
TARGET = os.path.join(ROOT, "src", "Samsa.Protocol", "Schemas")

TOP_KEYS = ["apiKey", "type", "name", "validVersions", "flexibleVersions", "latestVersionUnstable",
            "fields", "commonStructs"]
FIELD_KEYS = ["name", "type", "versions", "nullableVersions", "flexibleVersions", "taggedVersions",
              "tag", "default", "ignorable", "mapKey", "zeroCopy", "fields"]
STRUCT_KEYS = ["name", "versions", "fields"]


def strip_comments(text):
    """Removes // line comments outside string literals."""
    out = []
    in_string = False
    escaped = False
    i = 0
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
            i += 1
        elif c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def keep(obj, keys):
    result = {}
    for k in keys:
        if k not in obj:
            continue
        v = obj[k]
        if k == "fields":
            v = [keep(f, FIELD_KEYS) for f in v]
        elif k == "commonStructs":
            v = [keep(s, STRUCT_KEYS) for s in v]
        result[k] = v
    return result


def render(obj, indent):
    """One line per field; nested field lists indented, so diffs stay readable."""
    inner = indent + "  "
    parts = []
    for k, v in obj.items():
        if k in ("fields", "commonStructs"):
            items = ",\n".join(inner + "  " + render(x, inner + "  ").lstrip() for x in v)
            parts.append(f'"{k}": [\n{items}\n{inner}]' if v else f'"{k}": []')
        else:
            parts.append(f"{json.dumps(k)}: {json.dumps(v)}")
    if not any(k in ("fields", "commonStructs") for k in obj):
        return "{ " + ", ".join(parts) + " }"
    return "{\n" + ",\n".join(inner + p for p in parts) + "\n" + indent + "}"


def copy(source):
    for kind in ("messages", "metadata"):
        src_dir = os.path.join(source, kind)
        dst_dir = os.path.join(TARGET, kind)
        os.makedirs(dst_dir, exist_ok=True)
        for old in os.listdir(dst_dir):
            if old.endswith(".json"):
                os.remove(os.path.join(dst_dir, old))
        count = 0
        for name in sorted(os.listdir(src_dir)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(src_dir, name), encoding="utf-8") as f:
                schema = json.loads(strip_comments(f.read()))
            with open(os.path.join(dst_dir, name), "w", encoding="utf-8") as f:
                f.write(render(keep(schema, TOP_KEYS), ""))
                f.write("\n")
            count += 1
        print(f"{kind}: {count} schemas")


if __name__ == "__main__":
    copy(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SOURCE)
