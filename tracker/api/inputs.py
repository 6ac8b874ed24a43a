"""Parsing API input (JSON bodies and query strings) against field specs.

Each spec both checks a value and states its JSON Schema. A view declares its specs once
(tracker.api.operations) and reads its input through that declaration; openapi.py builds the parameters
and request bodies from the same declarations, so the document and the checks cannot drift apart. Every refusal
is a ``BadInput`` (400) naming the fields, before any service runs: bad input never reaches the
database, so it can neither cause a 500 (NUL characters, over-long strings, out-of-range integers
on PostgreSQL) nor a partial write.
"""
from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Any, Mapping

from flask_babel import gettext as _

from tracker.common.forms import MAX_YEAR, MIN_YEAR
from tracker.common.plain_text import clean_text

MAX_ID = 2_147_483_647  # PostgreSQL integer: a larger id cannot exist and must not reach a query
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DIGITS = re.compile(r"^[0-9]{1,12}$")
MISSING = object()


class BadInput(Exception):
    """The request is malformed: ``fields`` maps each offending field to a message."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class FieldError(Exception):
    pass


class Field:
    json_type = "string"

    def __init__(self, *, required: bool = False, nullable: bool = False, description: str = "",
                 default: Any = MISSING, example: Any = MISSING):
        self.required, self.nullable, self.description, self.default = required, nullable, description, default
        self.example = example

    def check(self, value: Any) -> Any:  # a value decoded from JSON
        raise NotImplementedError

    def check_text(self, raw: str) -> Any:  # a value from the query string
        return self.check(raw)

    def parse(self, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise FieldError(_("不能为空。"))
        return self.check(value)

    def own_schema(self) -> dict:
        raise NotImplementedError

    def schema(self) -> dict:
        schema = self.own_schema()
        if self.nullable:
            schema["nullable"] = True
        if self.description:
            schema["description"] = self.description
        if self.default is not MISSING:
            schema["default"] = self.default
        if self.example is not MISSING:
            schema["example"] = self.example
        return schema


class Text(Field):
    """A string, cleaned as the forms clean text (``tracker.common.plain_text.clean_text``): control
    characters other than tab and line breaks, lone surrogates and U+FFFE/U+FFFF are dropped before the
    length is checked (PostgreSQL stores neither NUL nor surrogates; no export can carry them)."""

    def __init__(self, *, max_length: int, min_length: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.min_length = max_length, min_length

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise FieldError(_("须为字符串。"))
        value = clean_text(value)
        if len(value) > self.max_length:
            raise FieldError(_("不能超过%(n)d个字符。", n=self.max_length))
        if len(value) < self.min_length:
            raise FieldError(_("至少需要%(n)d个字符。", n=self.min_length))
        return value

    def own_schema(self) -> dict:
        schema: dict = {"type": "string", "maxLength": self.max_length}
        if self.min_length:
            schema["minLength"] = self.min_length
        return schema


class Integer(Field):
    json_type = "integer"

    def __init__(self, *, minimum: int = 0, maximum: int = MAX_ID, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum

    def check(self, value: Any) -> int:
        if isinstance(value, bool):  # JSON true is not 1
            raise FieldError(_("须为整数。"))
        if isinstance(value, float) and value.is_integer():  # 5.0 is an integer in JSON Schema
            value = int(value)
        if not isinstance(value, int):
            raise FieldError(_("须为整数。"))
        if not self.minimum <= value <= self.maximum:
            raise FieldError(_("须在%(low)d至%(high)d之间。", low=self.minimum, high=self.maximum))
        return value

    def check_text(self, raw: str) -> int:
        if not DIGITS.match(raw):
            raise FieldError(_("须为整数。"))
        return self.check(int(raw))

    def own_schema(self) -> dict:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


class Identifier(Integer):
    def __init__(self, **kwargs):
        super().__init__(minimum=1, maximum=MAX_ID, **kwargs)


class Day(Field):
    """An ISO 8601 calendar date, YYYY-MM-DD."""

    def check(self, value: Any) -> date:
        if not isinstance(value, str) or not DAY.match(value):
            raise FieldError(_("须为YYYY-MM-DD格式的日期。"))
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise FieldError(_("不是有效的日期。")) from None
        if not MIN_YEAR <= day.year <= MAX_YEAR:  # the same years as the forms (tracker.common.forms)
            raise FieldError(_("年份须在2000至2100之间。"))
        return day

    def own_schema(self) -> dict:
        return {"type": "string", "format": "date"}


class Boolean(Field):
    """JSON true or false (not 0/1, not "true")."""

    json_type = "boolean"

    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise FieldError(_("须为true或false。"))
        return value

    def check_text(self, raw: str) -> bool:
        if raw not in ("true", "false"):
            raise FieldError(_("须为true或false。"))
        return raw == "true"

    def own_schema(self) -> dict:
        return {"type": "boolean"}


class Choice(Field):
    def __init__(self, values: type[Enum] | tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.enum = values if isinstance(values, type) else None
        self.values = tuple(member.value for member in values) if isinstance(values, type) else tuple(values)

    def check(self, value: Any):
        if not isinstance(value, str) or value not in self.values:
            raise FieldError(_("须为以下之一：%(values)s。", values="、".join(self.values)))
        return self.enum(value) if self.enum else value

    def own_schema(self) -> dict:
        return {"type": "string", "enum": list(self.values)}


class IdentifierList(Field):
    json_type = "array"

    def __init__(self, *, max_items: int = 50, **kwargs):
        super().__init__(**kwargs)
        self.max_items = max_items

    def check(self, value: Any) -> list[int]:
        if not isinstance(value, list):
            raise FieldError(_("须为整数数组。"))
        if len(value) > self.max_items:
            raise FieldError(_("最多%(n)d项。", n=self.max_items))
        item = Identifier()
        try:
            ids = [item.check(element) for element in value]
        except FieldError:
            raise FieldError(_("须为正整数数组。")) from None
        if len(set(ids)) != len(ids):
            raise FieldError(_("不能有重复项。"))
        return ids

    def own_schema(self) -> dict:
        return {"type": "array", "items": Identifier().own_schema(), "maxItems": self.max_items,
                "uniqueItems": True}


class TextList(Field):
    """An array of strings, each cleaned and limited as ``Text`` (names picked from a list, say)."""

    json_type = "array"

    def __init__(self, *, max_items: int = 50, max_length: int = 60, **kwargs):
        super().__init__(**kwargs)
        self.max_items, self.item = max_items, Text(max_length=max_length)

    def check(self, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise FieldError(_("须为字符串数组。"))
        if len(value) > self.max_items:
            raise FieldError(_("最多%(n)d项。", n=self.max_items))
        return [self.item.check(element) for element in value]

    def own_schema(self) -> dict:
        return {"type": "array", "items": self.item.own_schema(), "maxItems": self.max_items}


def parse_body(specs: Mapping[str, Field], data: Any) -> dict[str, Any]:
    """The present fields of a JSON object, checked; unknown and missing required fields are errors."""
    if not isinstance(data, dict):
        raise BadInput(_("请求体须为JSON对象。"))
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in data:
        if name not in specs:
            errors[str(name)[:100]] = _("不支持的字段。")
    for name, spec in specs.items():
        if name not in data:
            if spec.required:
                errors[name] = _("必须填写。")
            continue
        try:
            values[name] = spec.parse(data[name])
        except FieldError as error:
            errors[name] = str(error)
    if errors:
        raise BadInput(_("请求内容有误，请检查各字段。"), errors)
    return values


def parse_query(specs: Mapping[str, Field], args) -> dict[str, Any]:
    """Query parameters, checked; an absent or empty parameter takes its default (or None)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        raw = args.get(name)
        if raw is None or raw == "":
            values[name] = None if spec.default is MISSING else spec.default
            continue
        try:
            values[name] = spec.check_text(raw)
        except FieldError as error:
            errors[name] = str(error)
    if errors:
        raise BadInput(_("查询参数有误。"), errors)
    return values


def body_schema(specs: Mapping[str, Field]) -> dict:
    """The JSON Schema of a request body made of these fields (nothing else allowed)."""
    schema = {"type": "object", "additionalProperties": False,
              "properties": {name: spec.schema() for name, spec in specs.items()}}
    required = [name for name, spec in specs.items() if spec.required]
    if required:
        schema["required"] = required
    return schema


def query_parameters(specs: Mapping[str, Field]) -> list[dict]:
    """OpenAPI query parameters for these fields."""
    parameters = []
    for name, spec in specs.items():
        parameter = {"name": name, "in": "query", "required": False, "schema": spec.schema()}
        if spec.description:
            parameter["description"] = spec.description
        parameters.append(parameter)
    return parameters
