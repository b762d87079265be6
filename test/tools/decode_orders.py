#!/usr/bin/python3
"""Decodes Confluent-framed Avro messages with Apache Avro's own Python library, independently of chippy.

stdin: kcat output with the format '%R%s' (each value preceded by its length, 4 bytes big-endian) and an
empty message delimiter. argv[1]: the schema registry's Confluent API base URL. Prints one JSON object per
message: {"schema_id": ..., "record": {...}}.
"""
import io
import json
import struct
import sys
import urllib.request

import datetime
import uuid

import avro.io
import avro.schema

registry = sys.argv[1].rstrip("/")
schemas = {}


def writer_schema(schema_id):
    if schema_id not in schemas:
        with urllib.request.urlopen(f"{registry}/schemas/ids/{schema_id}", timeout=10) as res:
            schemas[schema_id] = avro.schema.parse(json.load(res)["schema"])
    return schemas[schema_id]


def plain(value):
    """Avro's logical types come back as Python objects: give them as they are on the wire."""
    if isinstance(value, datetime.datetime):
        return round(value.timestamp() * 1000)
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot show {type(value).__name__}")


data = sys.stdin.buffer.read()
pos = 0
while pos < len(data):
    (length,) = struct.unpack(">i", data[pos : pos + 4])
    value = data[pos + 4 : pos + 4 + length]
    pos += 4 + length
    magic, schema_id = struct.unpack(">bI", value[:5])
    if magic != 0:
        raise SystemExit(f"message at byte {pos}: magic byte {magic}, not 0")
    reader = avro.io.DatumReader(writer_schema(schema_id))
    record = reader.read(avro.io.BinaryDecoder(io.BytesIO(value[5:])))
    print(json.dumps({"schema_id": schema_id, "record": record}, default=plain))
