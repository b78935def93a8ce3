"""The reference answer for mserve's text-format parser: google.protobuf's own.

Reads {"module": ..., "message": ..., "texts": [...]} on stdin and prints, for
each text, {"ok": true, "json": MessageToDict(...)} or {"ok": false, "error": ...}.
"""
import importlib
import json
import sys

from google.protobuf import json_format, text_format
from google.protobuf import symbol_database

request = json.load(sys.stdin)
importlib.import_module(request["module"])
cls = symbol_database.Default().GetSymbol(request["message"])
results = []
for text in request["texts"]:
    message = cls()
    try:
        text_format.Parse(text, message)
        results.append({"ok": True, "json": json_format.MessageToDict(message, preserving_proto_field_name=True)})
    except Exception as error:  # ParseError, and a few ValueErrors for bad escapes
        results.append({"ok": False, "error": str(error)})
json.dump(results, sys.stdout)
