"""ask-sdk-model objects to and from JSON without ask-sdk's per-request reflection.

ask-sdk's ``DefaultSerializer`` re-reads every model class's ``deserialized_types`` and
``attribute_map``, re-parses their type strings and parses the timestamp with dateutil on every
request: about 80 % of a plain skill's time. ``CompiledSerializer`` reads the same tables once per
class and keeps a reader (request JSON → objects) and a writer (response objects → JSON) for it;
discriminated types (``Request``) are resolved with the class's own ``get_real_child_model``.
Nothing here is written for a particular class.

The results are those of ``DefaultSerializer`` (tests hold it to that on every fixture, thousands of
generated envelopes and every answer the skill gives). A reader only handles what it is sure of: a
value of another JSON type than declared, a timestamp not in Alexa's ``2024-05-01T22:14:03Z`` form,
an unknown discriminator, a list of mixed types… raises ``Unsupported``, and only that sends the
whole document through ``DefaultSerializer`` instead, so its results and its errors stay exactly
its own. Any other error in a reader is a bug and propagates: no fallback hides it. Writers do the
same value by value: anything but plain models, dicts, lists and JSON scalars is written by
``DefaultSerializer.serialize``.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Optional, Union

from ask_sdk_core.serialize import DefaultSerializer

Reader = Callable[[Any], Any]
Writer = Callable[[Any], Any]
TypeName = Union[str, type]

_LIST_TYPE = re.compile(r"list\[(.*)\]")
_DICT_TYPE = re.compile(r"dict\(([^,]*), (.*)\)")
_ALEXA_TIMESTAMP = re.compile(r"([1-9]\d{3})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z", re.ASCII)
_JSON_SCALARS = (str, int, float, bool, type(None))
_AS_IS = frozenset({str, int, float, bool, bytes, type(None)})
"""Types DefaultSerializer.serialize returns as they are."""
_NOT_MODELS = (*DefaultSerializer.PRIMITIVE_TYPES, list, tuple, dict, datetime, date, Enum, Decimal)
"""Types DefaultSerializer.serialize checks before treating an object as a model."""
_EXACT = {"str": str, "bool": bool, "int": int, "long": int, "float": float}
"""Declared types whose JSON value, when of exactly that type, is the attribute itself."""


class _NEVER:
    """No JSON value is of this type: every value goes through the field's reader."""


_Field = list[Any]
"""[attribute name, the JSON type taken as it is, reader]."""


class Unsupported(Exception):
    """The readers cannot be sure of matching DefaultSerializer here; it reads this document itself."""


class CompiledSerializer(DefaultSerializer):
    """DefaultSerializer with readers and writers compiled once per model class."""

    def __init__(self) -> None:
        self._readers: dict[tuple[TypeName, bool], Reader] = {}
        self._writers: dict[type, Writer] = {dict: self._write_dict, list: self._write_list}
        self._classes: dict[str, type] = {}
        self._utc: Optional[tzinfo] = None
        self.fallbacks = 0
        """Documents handed to DefaultSerializer because a reader could not be sure (for benchmarks)."""

    # -- the Serializer interface ------------------------------------------------------
    def serialize(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _AS_IS:
            return obj
        writer = self._writers.get(kind)
        if writer is None:
            writer = self._writers[kind] = self._compile_writer(kind)
        return writer(obj)

    def deserialize(self, payload: Optional[str], obj_type: Any) -> Any:
        if payload is None:
            return None
        try:
            document = json.loads(payload)
        except (ValueError, TypeError):
            return super().deserialize(payload, obj_type)  # raises ask-sdk's own SerializationException
        try:
            return self.read(document, obj_type)
        except Unsupported:  # only what the readers decline; any other error is a bug, and surfaces
            self.fallbacks += 1
            return super().deserialize(payload, obj_type)

    def deserialize_document(self, document: Any, obj_type: Any) -> Any:
        """Like ``deserialize(json.dumps(document), obj_type)``, without writing and re-reading the JSON.

        ``document`` is only read: values kept as they are (``object`` fields, unknown keys) are copied.
        """
        try:
            return self.read(document, obj_type)
        except Unsupported:  # only what the readers decline; any other error is a bug, and surfaces
            self.fallbacks += 1
            return super().deserialize(json.dumps(document), obj_type)

    def read(self, document: Any, obj_type: TypeName) -> Any:
        """The object for ``document``, or Unsupported where the readers are not sure of matching DefaultSerializer."""
        return None if document is None else self._reader(obj_type)(document)

    # -- compiling writers ---------------------------------------------------------------
    def _write_dict(self, obj: dict) -> dict[Any, Any]:
        serialize, as_is = self.serialize, _AS_IS
        return {key: value if type(value) in as_is else serialize(value) for key, value in obj.items()}

    def _write_list(self, obj: list) -> list[Any]:
        serialize, as_is = self.serialize, _AS_IS
        return [item if type(item) in as_is else serialize(item) for item in obj]

    def _compile_writer(self, kind: type) -> Writer:
        """A model class gets its own writer; any other type is written as DefaultSerializer writes it."""
        if not hasattr(kind, "deserialized_types") or issubclass(kind, _NOT_MODELS):
            return lambda obj: DefaultSerializer.serialize(self, obj)
        types = kind.deserialized_types  # type: ignore[attr-defined]
        attribute_map = dict(getattr(kind, "attribute_map", {}))
        attribute_map.update({name: name for name in types if name not in attribute_map})
        fields = tuple((name, attribute_map[name]) for name in types)
        serialize = self.serialize

        def write_model(obj: Any) -> dict[str, Any]:
            own = getattr(obj, "__dict__", ())
            if "deserialized_types" in own or "attribute_map" in own:  # tables set on the object itself
                return DefaultSerializer.serialize(self, obj)
            out = {}
            for name, key in fields:
                value = getattr(obj, name)
                if value is not None:
                    out[key] = value if type(value) in _AS_IS else serialize(value)
            return out

        return write_model

    # -- compiling readers ---------------------------------------------------------------
    def _reader(self, type_name: TypeName, discriminate: bool = True) -> Reader:
        key = (type_name, discriminate)
        reader = self._readers.get(key)
        if reader is None:
            reader = self._readers[key] = self._compile(type_name, discriminate)
        return reader

    def _lazy(self, type_name: TypeName) -> Reader:
        """A reader compiled on first use: the model graph is large, cyclic, and mostly never sent."""
        compiled: list[Reader] = []

        def read(value: Any) -> Any:
            if not compiled:
                compiled.append(self._reader(type_name))
            return compiled[0](value)

        return read

    def _compile(self, type_name: TypeName, discriminate: bool) -> Reader:
        if isinstance(type_name, str):
            if type_name.startswith("list["):
                return self._list_reader(type_name)
            if type_name.startswith("dict("):
                return self._dict_reader(type_name)
            native = self.NATIVE_TYPES_MAPPING.get(type_name)
            type_name = native if native is not None else self._load_class(type_name)
        if type_name is object:
            return _json_copy
        if type_name is datetime:
            return self._read_timestamp
        if type_name in (str, bool, int):
            return _exactly(type_name)
        if type_name is float:
            return _read_float
        if isinstance(type_name, type) and issubclass(type_name, Enum):
            return _enum_reader(type_name)
        if isinstance(type_name, type) and hasattr(type_name, "deserialized_types"):
            if discriminate and hasattr(type_name, "get_real_child_model"):
                return self._discriminating_reader(type_name)
            return self._model_reader(type_name)
        return _unsupported  # bytes, date, classes without a model's tables: rare, left to DefaultSerializer

    def _load_class(self, name: str) -> type:
        """The class a type string names, resolved as DefaultSerializer resolves it (module.Class)."""
        found = self._classes.get(name)
        if found is None:
            module_name, _, class_name = name.rpartition(".")
            if not module_name:
                raise Unsupported(f"{name}: no module")
            __import__(module_name, fromlist=[class_name])
            found = self._classes[name] = getattr(sys.modules[module_name], class_name)
        return found

    def _list_reader(self, type_name: str) -> Reader:
        match = _LIST_TYPE.match(type_name)
        if match is None or "," in match.group(1):
            return _unsupported
        read_item = self._lazy(match.group(1).strip())

        def read_list(value: Any) -> list[Any]:
            if type(value) is not list:
                raise Unsupported("not a list")
            return [None if item is None else read_item(item) for item in value]

        return read_list

    def _dict_reader(self, type_name: str) -> Reader:
        match = _DICT_TYPE.match(type_name)
        if match is None:
            return _unsupported
        read_value = self._lazy(match.group(2))

        def read_dict(value: Any) -> dict[str, Any]:
            if type(value) is not dict:
                raise Unsupported("not an object")
            out = {}
            for key, item in value.items():
                if type(key) is not str:
                    raise Unsupported("key not a string")
                out[key] = None if item is None else read_value(item)
            return out

        return read_dict

    def _model_reader(self, cls: type) -> Reader:
        """Reads a JSON object into ``cls`` by its ``attribute_map`` and ``deserialized_types``."""
        types: dict[str, str] = cls.deserialized_types  # type: ignore[attr-defined]
        attribute_map = dict(getattr(cls, "attribute_map", {}))
        attribute_map.update({name: name for name in types if name not in attribute_map})
        if any(name not in types for name in attribute_map):
            return _unsupported
        fields: dict[str, list[_Field]] = {}
        for name, key in attribute_map.items():
            fields.setdefault(key, []).append(self._field(name, types[name]))
        single = {key: entries[0] for key, entries in fields.items() if len(entries) == 1}
        shared = {key: entries for key, entries in fields.items() if len(entries) > 1}

        def read_model(payload: Any) -> Any:
            if type(payload) is not dict:
                raise Unsupported("not an object")
            model = cls()
            unknown = None
            for key, value in payload.items():
                field = single.get(key)
                if field is not None:
                    name, exact, read = field
                    setattr(model, name, value if value is None or type(value) is exact else read(value))
                elif key in shared:
                    for name, exact, read in shared[key]:
                        setattr(model, name, value if value is None or type(value) is exact else read(value))
                else:
                    if unknown is None:
                        unknown = []
                    unknown.append(key)
            if unknown is not None:  # DefaultSerializer keeps unknown keys as attributes, after the known ones
                for key in unknown:
                    if type(key) is not str:
                        raise Unsupported("key not a string")
                    try:
                        setattr(model, key, _json_copy(payload[key]))
                    except (TypeError, AttributeError):  # "__class__", a read-only property: DefaultSerializer's error
                        raise Unsupported(f"{key!r} cannot be an attribute") from None
            return model

        return read_model

    def _field(self, name: str, type_name: str) -> _Field:
        """A field whose reader is compiled on first use, then replaces itself."""
        field: _Field = [name, _EXACT.get(type_name, _NEVER), _unsupported]

        def compile_then_read(value: Any) -> Any:
            field[2] = self._reader(type_name)
            return field[2](value)

        field[2] = compile_then_read
        return field

    def _discriminating_reader(self, cls: type) -> Reader:
        """Picks the subclass with the class's own ``get_real_child_model``, then reads it as that."""
        by_name: dict[str, Reader] = {}

        def read_discriminated(payload: Any) -> Any:
            if type(payload) is not dict:
                raise Unsupported("not an object")
            kind = payload.get(cls.json_discriminator_key)  # type: ignore[attr-defined]
            if type(kind) is not str:
                raise Unsupported("no discriminator")
            name = cls.get_real_child_model(payload)  # type: ignore[attr-defined]
            reader = by_name.get(name) if type(name) is str else None
            if reader is None:
                if not name:
                    raise Unsupported("unknown discriminator")
                reader = by_name[name] = self._reader(self._load_class(name), discriminate=False)
            return reader(payload)

        return read_discriminated

    def _read_timestamp(self, value: Any) -> datetime:
        """Alexa's own timestamp form, in UTC, with the tzinfo dateutil gives "Z" on this machine."""
        match = _ALEXA_TIMESTAMP.fullmatch(value) if type(value) is str else None
        if match is None:
            raise Unsupported("timestamp not in Alexa's form")
        if self._utc is None:
            from dateutil.parser import parse  # what DefaultSerializer uses: tzutc(), or tzlocal() where local is UTC

            self._utc = parse("2000-01-01T00:00:00Z").tzinfo
        year, month, day, hour, minute, second, fraction = match.groups()
        microsecond = int(fraction.ljust(6, "0")) if fraction else 0
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond,
                        tzinfo=self._utc)


def _exactly(kind: type) -> Reader:
    def read(value: Any) -> Any:
        if type(value) is not kind:
            raise Unsupported(f"not {kind.__name__}")
        return value

    return read


def _read_float(value: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise Unsupported("not a number")


def _enum_reader(enum: type[Enum]) -> Reader:
    members = enum._value2member_map_

    def read(value: Any) -> Enum:
        member = members.get(value) if type(value) is str else None
        if member is None:
            raise Unsupported(f"not a {enum.__name__}")
        return member

    return read


def _json_copy(value: Any) -> Any:
    """A value kept as it is, copied as a JSON round trip would (so the caller's document is never shared)."""
    kind = type(value)
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise Unsupported("key not a string")
            out[key] = _json_copy(item)
        return out
    if kind is list:
        return [_json_copy(item) for item in value]
    if kind in _JSON_SCALARS:
        return value
    raise Unsupported(f"{kind.__name__} is not JSON")


def _unsupported(value: Any) -> Any:
    raise Unsupported("type left to DefaultSerializer")
