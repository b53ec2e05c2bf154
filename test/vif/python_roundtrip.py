"""Load TS-written os-vif primitives with Python os-vif and write them back.

Reads a JSON list of {"primitive": P, "targets": [v, ...]} from stdin; prints a JSON list of
{"primitive": ..., "str": ..., "backports": {v: primitive or {"error": name}}}. Every
versioned_object.changes list is sorted, key order kept (so str() matches the TS side).
"""
import json
import sys
import warnings

warnings.simplefilter('ignore')

import os_vif  # noqa: E402
from os_vif.objects import base  # noqa: E402

os_vif.objects.register_all()
KEY = 'versioned_object.changes'


def canon(v):
    if isinstance(v, dict):
        return {k: (sorted(x) if k == KEY and isinstance(x, list) else canon(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [canon(x) for x in v]
    return v


def text(obj):
    if isinstance(obj, base.VersionedObjectPrintableMixin):
        return str(canon(obj.obj_to_primitive()))
    return str(obj)


out = []
for case in json.load(sys.stdin):
    obj = base.VersionedObject.obj_from_primitive(case['primitive'])
    backports = {}
    for target in case['targets']:
        try:
            backports[target] = canon(obj.obj_to_primitive(target_version=target))
        except Exception as e:  # the exception name is what is compared
            backports[target] = {'error': type(e).__name__}
    out.append({'primitive': canon(obj.obj_to_primitive()), 'str': text(obj), 'backports': backports})
json.dump(out, sys.stdout)
