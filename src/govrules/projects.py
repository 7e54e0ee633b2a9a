"""Projects: the documents other systems submit, validated into typed, immutable facts.

A project is a flat mapping of fact names (from the vocabulary) to values, plus an optional ``id``
and ``name``. The pydantic model is generated from the vocabulary, so a fact added there is
accepted here at once. Every bad field is reported, each by name, in one ``ProjectError``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

if TYPE_CHECKING:  # pydantic is imported on first validation: loading packs does not need it
    import pydantic

from .amounts import MAX_AMOUNT, parse_amount, size_problem
from .errors import ProjectError, ProjectProblem, did_you_mean, safe_repr
from .messages import values_hint
from .vocabulary import NOT_HAPPENED, Fact, FactType, Vocabulary, default_vocabulary
from .yamlfiles import YamlReadError, read_yaml_text

__all__ = ["Project", "parse_project", "project_json_schema", "read_project"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_META = ("id", "name")

#: No project document comes near this; a larger file is refused before it is read (issue 14).
MAX_PROJECT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Project:
    """A validated project: its identity and its facts (missing facts are simply absent)."""

    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    id: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The project as JSON-ready data (amounts and numbers as exact strings, dates ISO)."""
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        if self.name is not None:
            out["name"] = self.name
        for key in sorted(self.facts):
            out[key] = json_value(self.facts[key])
        return out


def json_value(value: Any) -> Any:
    """A fact value in JSON: Decimal → exact string, date → ISO text, others unchanged."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # one spelling per amount: 1234.50 and 1234.5 both give "1234.5"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if value is NOT_HAPPENED:
        return False
    return value


def _date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        raise ValueError("give a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, _dt.date):
        return _in_range(value)
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return _in_range(_dt.date.fromisoformat(value.strip()))
        except ValueError as exc:
            if str(exc).startswith("outside"):
                raise
            raise ValueError(f"{safe_repr(value)} is not a calendar date") from None
    raise ValueError(f"{safe_repr(value)} is not a date; write YYYY-MM-DD, e.g. 2026-05-11")


#: The dates a project may state. Deadlines count years forward from a date (and Python's dates end
#: at 9999-12-31), so a date near the end of time overflowed in every command (issue 14); no
#: project of a government IT programme is dated outside these years.
MIN_DATE, MAX_DATE = _dt.date(1900, 1, 1), _dt.date(2999, 12, 31)


def _in_range(value: _dt.date) -> _dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"outside the years {MIN_DATE.year}–{MAX_DATE.year} a project can be dated "
                         f"({value.isoformat()})")
    return value


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a number, not true/false")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a finite number")
        value = repr(value)
    try:
        number = Decimal(value) if isinstance(value, (int, str, Decimal)) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"{safe_repr(value)} is not a number")
    if number < 0:
        raise ValueError("cannot be negative")
    if number.is_signed():  # "-0": the same number as 0, and one spelling per number (issue 14)
        number = number.copy_abs()
    problem = size_problem(number, MAX_AMOUNT)
    if problem:  # e.g. "1e999999999" would overflow the report's normalization
        raise ValueError(f"{safe_repr(value)} {problem}")
    return number


def _integer(value: Any) -> int:
    # A whole number beyond 10^15 is a typing error, and past 4300 digits Python cannot even
    # print it (int max_str_digits), so the report could not be written.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_AMOUNT:
        raise ValueError("larger than any plausible quantity (limit 10^15)")
    return value  # type: ignore[no-any-return]


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unicode_text(value: str) -> str:
    """Text must be valid Unicode: a lone surrogate (e.g. "\\udc80" in a JSON file) cannot be written
    as UTF-8, so no report, log line or error message could carry it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"contains an unpaired surrogate (U+{ord(value[exc.start]):04X} at position {exc.start}),"
                         " which is not valid Unicode text") from None
    return value


_AMOUNT_SCHEMA = {"anyOf": [
    {"type": "integer", "minimum": 0},
    {"type": "number", "minimum": 0, "description": "exact decimal; a binary float is refused in Python"},
    {"type": "string", "pattern": r"^\s*[+]?[0-9][0-9,]*(\.[0-9]+)?([eE][+-]?[0-9]+)?\s*(万元|万|亿元|亿|元)?\s*$",
     "examples": ["5000000", "500万", "500万元", "5,000,000"]},
]}


def _act_date(value: Any) -> Any:
    """An act's date, or ``false`` for "the act did not take place" (``NOT_HAPPENED``)."""
    if value is False or value is NOT_HAPPENED:
        return NOT_HAPPENED
    return _date(value)


def _field_type(fact_type: FactType, values: tuple[str, ...], act: bool = False) -> Any:
    from pydantic import AfterValidator, BeforeValidator, StrictBool, StrictInt, StrictStr, WithJsonSchema

    if fact_type is FactType.AMOUNT:
        return Annotated[Decimal, BeforeValidator(parse_amount), WithJsonSchema(_AMOUNT_SCHEMA)]
    if fact_type is FactType.NUMBER:
        return Annotated[Decimal, BeforeValidator(_number),
                         WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0},
                                                   {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}]})]
    if fact_type is FactType.DATE and act:
        return Annotated[Any, BeforeValidator(_act_date),
                         WithJsonSchema({"anyOf": [
                             {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                             {"const": False, "description": "未发生 / the act did not take place"}]})]
    if fact_type is FactType.DATE:
        return Annotated[_dt.date, BeforeValidator(_date),
                         WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"})]
    if fact_type is FactType.BOOLEAN:
        return StrictBool
    if fact_type is FactType.INTEGER:
        return Annotated[StrictInt, AfterValidator(_integer)]
    if fact_type is FactType.ENUM:
        return Literal[values]
    return Annotated[StrictStr, AfterValidator(_unicode_text)]


@lru_cache(maxsize=8)
def _model(vocab: Vocabulary) -> type[pydantic.BaseModel]:
    import pydantic
    from pydantic import AfterValidator, ConfigDict, Field, StrictStr

    text = Annotated[StrictStr, AfterValidator(_unicode_text)]
    fields: dict[str, Any] = {
        "id": (Optional[text], None),
        "name": (Optional[text], None),
    }
    for name, fact in vocab.items():
        described = " ".join(x for x in (fact.zh, "—", fact.en, f"({fact.unit})" if fact.unit else "") if x)
        fields[name] = (Optional[_field_type(fact.type, tuple(fact.values), fact.act)],
                        Field(None, description=described, ge=fact.minimum, le=fact.maximum))
    return pydantic.create_model(
        "ProjectModel", __config__=ConfigDict(extra="forbid", frozen=True), **fields
    )


def _problem(error: Mapping[str, Any], vocab: Vocabulary, given: Mapping[str, Any]) -> ProjectProblem:
    loc = error.get("loc") or ("(project)",)
    name = str(loc[0])
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        return ProjectProblem(
            field=name, code="unknown-field", value=value,
            message="is not a fact govrules knows",
            hint=did_you_mean(name, list(vocab) + list(_META)) or "see docs/facts.md for the fact vocabulary",
        )
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    hint = hint_zh = message_zh = None
    fact = vocab.get(name)
    if fact is not None and fact.type is FactType.ENUM:
        # No close spelling: the allowed values with their Chinese labels, so the right one can be
        # chosen by its meaning ('operations' → operation_maintenance（运维项目）).
        hint = did_you_mean(value if isinstance(value, str) else safe_repr(value), list(fact.values))
        if hint is None:
            hint, hint_zh = values_hint(fact.values)
        message = f"{safe_repr(value)} is not a value of {name}"
        message_zh = f"{safe_repr(value)} 不是“{fact.zh}”（{name}）的可选值"
    elif fact is not None and error["type"].startswith(("bool", "int", "string")):
        message = f"expected {fact.type.value}, got {type(value).__name__} {safe_repr(value)}"
        if fact.type is FactType.BOOLEAN:
            hint = "write true or false"
    return ProjectProblem(field=".".join(str(p) for p in loc), code=error["type"], value=value,
                          message=message, hint=hint, message_zh=message_zh, hint_zh=hint_zh)


def project_json_schema(vocab: Vocabulary | None = None) -> dict[str, Any]:
    """A JSON Schema for project documents, for the systems that build them (forms, ledgers)."""
    schema = _model(vocab or default_vocabulary()).model_json_schema()
    schema["title"] = "govrules project"
    schema["description"] = ("A government IT project as facts from the govrules vocabulary "
                             "(docs/facts.md). Leave out what is not known: missing facts are unknown, not false.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def parse_project(data: Any, vocab: Vocabulary | None = None, *, source: str | None = None) -> Project:
    """Validate ``data`` (a mapping) into a ``Project``; raise ``ProjectError`` naming each bad field."""
    vocab = vocab or default_vocabulary()
    if isinstance(data, Project):
        return data
    if not isinstance(data, Mapping):
        raise ProjectError([ProjectProblem(
            field="(project)", code="type", value=data,
            message=f"a project is a mapping of fact names to values, not {type(data).__name__}",
        )], source=source)
    fast = _fast_project(data, vocab)
    if fast is not None:
        return fast
    try:  # one pass over the keys in C; the slow checks below run only when this one fails
        "".join(data).encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        _check_keys(data, source)
    import pydantic

    model_type = _model(vocab)
    try:
        model = model_type.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ProjectError([_problem(e, vocab, data) for e in exc.errors()], source=source) from None
    values = model.__dict__
    # Only the fields the project gave, in the vocabulary's order (not the caller's), so equal
    # projects have equal facts whatever order their keys came in.
    order = _field_order(model_type)
    given = sorted((k for k in data if k not in _META and values[k] is not None), key=order.__getitem__)
    facts = {k: values[k] for k in given}
    return Project(facts=MappingProxyType(facts), id=values.get("id"), name=values.get("name"))


# -- the fast path for valid documents -------------------------------------------------------------
#
# Validating with the pydantic model costs about 1 µs per field of the vocabulary (150 of them),
# whatever the project gives. A valid document needs much less: each value is checked by the same
# validator the model runs for its field (``parse_amount``, ``_number``, ``_date`` …), with the same
# bounds. Anything this path does not accept outright — an unknown key, a value of another type,
# a value a validator refuses — goes to the model, which gives the answer and every error: the
# fast path never decides that a document is bad. tests/test_project_fast_path.py checks the two
# agree on valid, borderline and invalid documents.

_ENUM, _TEXT, _INTEGER, _AMOUNT, _NUMBER, _DATE, _ACT_DATE, _BOUNDED = range(8)
_ASCII_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_AMOUNT_LIMIT = 10 ** 15
_NONE = type(None)
#: ISO date text → the date, for the texts the fast path has accepted (bounded; a ledger's
#: documents share few distinct days, and the check costs more than the rest of a date fact).
_DAYS: dict[str, _dt.date] = {}


class _KeyPlan:
    """The checks for documents giving one set of keys in one order: the facts in the vocabulary's
    order, one C-level getter for their values, and (bounded) per tuple of value types the work
    left to do — a boolean given as a bool needs none."""

    __slots__ = ("facts", "get", "has_id", "has_name", "names", "work")

    def __init__(self, facts: tuple[Fact, ...], has_id: bool, has_name: bool) -> None:
        self.facts = facts
        self.names = names = tuple(f.name for f in facts)
        getter = itemgetter(*names) if names else (lambda data: ())
        self.get: Any = getter if len(names) != 1 else (lambda data: (getter(data),))
        self.has_id = has_id
        self.has_name = has_name
        self.work: dict[tuple[type, ...], tuple[tuple[int, int, Any], ...] | None] = {}

    def work_for(self, types: tuple[type, ...]) -> tuple[tuple[int, int, Any], ...] | None:
        """(position, check, what it needs) for each value that needs a check beyond its type;
        None where a value's type is one the fast path leaves to the model."""
        found = self.work.get(types, False)
        if found is not False:
            return found  # type: ignore[return-value]
        work: list[tuple[int, int, Any]] | None = []
        for i, (fact, kind) in enumerate(zip(self.facts, types)):
            assert work is not None
            if kind is _NONE:
                continue
            ftype = fact.type
            if ftype is FactType.BOOLEAN:
                ok = kind is bool
            elif ftype is FactType.ENUM:
                ok = kind is str
                work.append((i, _ENUM, frozenset(fact.values)))
            elif ftype is FactType.TEXT:
                ok = kind is str
                work.append((i, _TEXT, None))
            elif ftype is FactType.INTEGER:
                ok = kind is int
                work.append((i, _INTEGER, None))
            elif ftype is FactType.AMOUNT:
                ok = kind in (str, int, Decimal)
                work.append((i, _AMOUNT, None))
            elif ftype is FactType.NUMBER:
                ok = kind in (str, int, Decimal)
                work.append((i, _NUMBER, None))
            else:
                ok = kind is str or kind is _dt.date or fact.act and kind is bool
                work.append((i, _ACT_DATE if fact.act else _DATE, None))
            if not ok:
                work = None
                break
            if fact.minimum is not None or fact.maximum is not None:
                work.append((i, _BOUNDED, (fact.minimum, fact.maximum)))
        result = tuple(work) if work is not None else None
        if len(self.work) >= 64:
            self.work.clear()
        self.work[types] = result
        return result


class _FastTables:
    """Per vocabulary, (bounded) each key order seen → its ``_KeyPlan`` (None: a key left to the model)."""

    __slots__ = ("order", "plans", "vocab")

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.order = {name: i for i, name in enumerate(vocab)}
        self.plans: dict[tuple[Any, ...], _KeyPlan | None] = {}

    def plan(self, keys: tuple[Any, ...]) -> _KeyPlan | None:
        found = self.plans.get(keys, False)
        if found is not False:
            return found  # type: ignore[return-value]
        order = self.order
        plan: _KeyPlan | None = None
        if all(type(k) is str and (k in order or k in _META) for k in keys) and len(set(keys)) == len(keys):
            names = sorted((k for k in keys if k not in _META), key=order.__getitem__)
            plan = _KeyPlan(tuple(self.vocab[k] for k in names), "id" in keys, "name" in keys)
        if len(self.plans) >= 256:
            self.plans.clear()
        self.plans[keys] = plan
        return plan


@lru_cache(maxsize=8)
def _fast_tables(vocab: Vocabulary) -> _FastTables:
    return _FastTables(vocab)


def _fast_project(data: Mapping[str, Any], vocab: Vocabulary) -> Project | None:
    """The project, if every value of ``data`` passes its field's validator as it is; else None."""
    plan = _fast_tables(vocab).plan(tuple(data))
    if plan is None:
        return None
    values = plan.get(data)
    types = tuple(map(type, values))
    work = plan.work_for(types)
    if work is None:
        return None
    texts: list[str] = []
    try:
        if work:
            values = list(values)
            for i, check, needs in work:
                value = values[i]
                if check == _ENUM:
                    if value not in needs:
                        return None
                elif check == _AMOUNT:
                    # Whole yuan as digits or an int, the usual spellings from another system, read as
                    # parse_amount reads them (below its limit of 10^15 by their length); others through it.
                    if type(value) is str and len(value) < 16 and value.isascii() and value.isdigit() \
                            or type(value) is int and 0 <= value < _WHOLE_AMOUNT_LIMIT:
                        values[i] = Decimal(value)
                    elif type(value) is Decimal and value.is_finite() and 0 < value < _WHOLE_AMOUNT_LIMIT \
                            and value == value.to_integral_value():
                        pass  # a whole Decimal within the limit: parse_amount returns it as it is
                    else:
                        values[i] = parse_amount(value)
                elif check == _DATE or check == _ACT_DATE:
                    if type(value) is str:
                        day = _DAYS.get(value)
                        if day is None:
                            if not _ASCII_ISO_DATE.fullmatch(value):
                                return None
                            day = _in_range(_dt.date.fromisoformat(value))
                            if len(_DAYS) >= 4096:
                                _DAYS.clear()
                            _DAYS[value] = day
                        values[i] = day
                    elif type(value) is bool:
                        if value is not False:
                            return None
                        values[i] = NOT_HAPPENED
                    else:
                        values[i] = _in_range(value)
                elif check == _TEXT:
                    texts.append(value)
                elif check == _INTEGER:
                    values[i] = _integer(value)
                elif check == _NUMBER:
                    values[i] = _number(value)
                else:  # _BOUNDED: after the value's own check, as the model applies ge/le
                    low, high = needs
                    value = values[i]
                    if low is not None and value < low or high is not None and value > high:
                        return None
        project_id = data["id"] if plan.has_id else None
        project_name = data["name"] if plan.has_name else None
        for text in (project_id, project_name):
            if text is not None:
                if type(text) is not str:
                    return None
                texts.append(text)
        if texts:
            "".join(texts).encode("utf-8")  # valid Unicode (no lone surrogate), as _unicode_text asks
    except (ValueError, TypeError, ArithmeticError):  # the model will say what is wrong
        return None
    if _NONE in types:
        facts = {name: v for name, v in zip(plan.names, values) if v is not None}
    else:
        facts = dict(zip(plan.names, values))
    project = object.__new__(Project)  # the frozen dataclass's fields, without its per-field setattr
    project.__dict__.update(facts=MappingProxyType(facts), id=project_id, name=project_name)
    return project


def _check_keys(data: Mapping[Any, Any], source: str | None) -> None:
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        raise ProjectError([ProjectProblem(field=repr(k), code="key", message="field names must be text")
                            for k in bad_keys], source=source)
    broken_keys = [k for k in data if not _is_unicode(k)]
    if broken_keys:
        raise ProjectError([ProjectProblem(field=ascii(k), code="key", message="the field name is not valid "
                                           "Unicode text (it contains an unpaired surrogate)")
                            for k in broken_keys], source=source)


@lru_cache(maxsize=8)
def _field_order(model_type: type[pydantic.BaseModel]) -> Mapping[str, int]:
    return MappingProxyType({name: i for i, name in enumerate(model_type.model_fields)})


def read_project(path: Path | str, vocab: Vocabulary | None = None) -> Project:
    """Read a project from a ``.json``, ``.yaml`` or ``.yml`` file."""
    path = Path(path)
    raw = read_project_bytes(path)
    return parse_project(_decode(raw, path.suffix.lower(), str(path), vocab), vocab, source=str(path))


def read_project_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a project (or corpus) file; a file that cannot be read is a ``ProjectError``."""
    from .safefiles import InputFileError, read_limited

    try:
        # A regular file of bounded size only: a FIFO, a device or a 100 MB document is refused
        # before it is read (issue 14).
        return read_limited(path, MAX_PROJECT_BYTES if max_bytes is None else max_bytes)
    except InputFileError as exc:
        if not os.path.lexists(path):  # the commonest mistake of all: say so, not "1 bad field"
            raise ProjectError([ProjectProblem(
                field="(file)", code=exc.code, message=exc.message,
                hint="check the path and the file name (.json, .yaml or .yml)",
                message_zh=f"找不到项目文件 {path}",
                hint_zh="检查文件路径和文件名，扩展名应为 .json、.yaml 或 .yml")], source=str(path)) from None
        raise ProjectError([ProjectProblem(field="(file)", code=exc.code, message=exc.message)],
                           source=str(path)) from None


def _decode(raw: bytes, suffix: str, source: str, vocab: Vocabulary | None = None) -> Any:
    if suffix == ".json":
        try:
            return json.loads(raw.decode("utf-8-sig"), parse_float=Decimal, parse_constant=_no_constant,
                              object_pairs_hook=unique_keys)
        except DuplicateKeyError as exc:  # as YAML does: "last one wins" would hide a contradiction
            raise ProjectError([ProjectProblem(field=exc.key, code="duplicate-key",
                                               message="is given more than once; give each field once")],
                               source=source) from None
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProjectError([ProjectProblem(field="(file)", code="syntax",
                                               message=f"not valid JSON: {exc}")], source=source) from None
        except RecursionError:  # e.g. 100 000 nested brackets: no project is shaped like that
            raise ProjectError([ProjectProblem(field="(file)", code="too-deep",
                                               message="the JSON is nested too deeply to be a project")],
                               source=source) from None
    try:
        return read_yaml_text(raw, source).data
    except YamlReadError as exc:
        problems = [_yaml_problem(p, raw) for p in exc.problems]
    # A YAML mistake on one line must not hide the other fields' problems (issue 15): leave the
    # lines it is found on out, read the rest, and report what the rest has wrong too.
    raise ProjectError(problems + _rest_problems(raw, {p.line for p in problems if p.line}, source, vocab),
                       source=source)


_FIELD_AT = re.compile(r"^[ \u3000]*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?[ \u3000]*[:：]")


def _yaml_problem(problem: Any, raw: bytes) -> ProjectProblem:
    """A problem of reading a project's YAML, named by the field on its line, with line and column."""
    field_name = "(file)"
    if problem.line is not None:
        lines = raw.decode("utf-8", "replace").split("\n")
        match = _FIELD_AT.match(lines[problem.line - 1]) if problem.line <= len(lines) else None
        field_name = match.group(1) if match else f"(line {problem.line})"
    return ProjectProblem(field=field_name, code=problem.code, message=problem.message, hint=problem.hint,
                          message_zh=problem.message_zh, hint_zh=problem.hint_zh, line=problem.line,
                          column=problem.column)


def _rest_problems(raw: bytes, bad_lines: set[int], source: str, vocab: Vocabulary | None,
                   rounds: int = 20) -> list[ProjectProblem]:
    """The problems of the project without ``bad_lines``: more YAML mistakes (each reported at its
    line) and the fields the rest gives wrong. Nothing if the rest cannot be read at all."""
    if not bad_lines:
        return []
    lines = raw.split(b"\n")
    found: list[ProjectProblem] = []
    for _ in range(rounds):
        text = b"\n".join(b"" if i + 1 in bad_lines else line for i, line in enumerate(lines))
        try:
            data = read_yaml_text(text, source).data
        except YamlReadError as exc:
            more = [_yaml_problem(p, raw) for p in exc.problems if p.line and p.line not in bad_lines]
            if not more:
                return found
            found += more
            bad_lines |= {p.line for p in more if p.line}
            continue
        if not isinstance(data, Mapping):
            return found
        try:
            parse_project(data, vocab, source=source)
        except ProjectError as exc:
            found += exc.problems
        return found
    return found


class DuplicateKeyError(ValueError):
    """A JSON object names one key twice (refused, as in YAML: issue 14)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {safe_repr(key)}")
        self.key = key if isinstance(key, str) and _is_unicode(key) else ascii(key)


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for ``json.loads`` that refuses a key given twice."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number govrules accepts")
