#!/usr/bin/python3
"""Validates JSON files against the OCI schemas Debian ships, offline.

usage: oci_schema.py SCHEMA_DIR SCHEMA_FILE JSON_FILE...

Every schema file in SCHEMA_DIR is loaded into a local store under its $id,
its file URI and its name beside every $id's folder, so references between
them resolve locally; fetching anything from a network is refused. Run with
Debian's python3 (python3-jsonschema).
Prints one line per file: "ok FILE" or "invalid FILE: why"; exits 1 if any
file is invalid.
"""
import json
import pathlib
import sys

import warnings

import jsonschema

warnings.filterwarnings("ignore", category=DeprecationWarning)


def offline(uri):
    raise SystemExit(f"oci_schema.py: {uri} is not among the local schemas (no network)")


def main():
    schema_dir = pathlib.Path(sys.argv[1]).resolve()
    docs = {f.name: json.loads(f.read_text()) for f in schema_dir.glob("*.json")}
    store, bases = {}, set()
    for name, doc in docs.items():
        store[(schema_dir / name).as_uri()] = doc
        for key in ("$id", "id"):
            if isinstance(doc.get(key), str):
                store[doc[key].rstrip("#")] = doc
                bases.add(doc[key].rsplit("/", 1)[0])
    for base in bases:
        for name, doc in docs.items():
            store.setdefault(f"{base}/{name}", doc)
    main_file = schema_dir / sys.argv[2]
    schema = store[main_file.as_uri()]
    base = schema.get("$id") or schema.get("id") or main_file.as_uri()
    resolver = jsonschema.RefResolver(base, schema, store=store,
                                      handlers={"http": offline, "https": offline})
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, resolver=resolver)
    bad = 0
    for path in sys.argv[3:]:
        errors = sorted(validator.iter_errors(json.loads(open(path).read())), key=str)
        if errors:
            bad = 1
            print(f"invalid {path}: {errors[0].message} at {list(errors[0].path)}")
        else:
            print(f"ok {path}")
    return bad


if __name__ == "__main__":
    sys.exit(main())
