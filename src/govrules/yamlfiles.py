"""Reading YAML strictly, keeping where every node came from.

Packs are written by hand by policy staff, so the reader refuses what YAML allows but a careful
author never means: duplicate keys, tags (``!!python/object`` and every other), anchors and
aliases (and with them alias bombs), YAML 1.1 booleans such as ``no``/``on``/``yes`` written
bare, numbers in base 8 or 16 (``0o17``, ``0x10``), files that are not UTF-8 or are larger than any
real pack. Numbers with a fraction become
``Decimal`` from their exact source text (money is never a float); dates stay strings and are
checked by the schema. Every problem carries file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import PackProblem
from .messages import ImeMistake, ime_fixed, ime_key_mistake, ime_mistakes, ime_scalar_mistake, ime_text

__all__ = ["DEFAULT_HINTS", "MAX_DEPTH", "MAX_FILE_BYTES", "YamlDocument", "YamlReadError", "read_yaml", "read_yaml_text"]

#: Anchors and aliases reported one by one before the rest are summed up in one problem.
_MAX_REPORTED = 9

#: No pack file of a real measure comes near this; a larger file is refused before parsing.
MAX_FILE_BYTES = 2 * 1024 * 1024

_AMBIGUOUS_BOOL = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_ALLOWED_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
_AMBIGUOUS_TAG = "tag:govrules:ambiguous-bool"

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[misc]
    """A safe loader with YAML 1.2 core-schema scalars and no 1.1 surprises."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0] and _AMBIGUOUS_BOOL.match(value):
            return _AMBIGUOUS_TAG
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]


def _add_resolver(tag: str, pattern: str, first: str) -> None:
    _StrictLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_add_resolver("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN" + "\0")
_StrictLoader.yaml_implicit_resolvers.setdefault("", []).append(
    ("tag:yaml.org,2002:null", re.compile(r"^$"))
)
_add_resolver("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_add_resolver(
    "tag:yaml.org,2002:int",
    r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
    "-+0123456789",
)
_add_resolver(
    "tag:yaml.org,2002:float",
    r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
    "-+0123456789.",
)


def _construct_int(loader: _StrictLoader, node: ScalarNode) -> int:
    text = node.value
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_decimal(loader: _StrictLoader, node: ScalarNode) -> Decimal:
    return Decimal(node.value)


def _construct_bool(loader: _StrictLoader, node: ScalarNode) -> bool:
    return str(node.value).lower() == "true"


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


class YamlReadError(Exception):
    """A file could not be read as strict YAML; ``problems`` says where and why."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in problems))


Path_ = tuple[str | int, ...]

#: The advice a problem gets when its check has nothing more specific to say (see ``problem``).
DEFAULT_HINTS: dict[str, str] = {
    "invalid": "see docs/pack-format.md for what this part of a pack holds",
    "schema": "see the file's JSON Schema in src/govrules/schemas/ (named on the file's first line)",
    "required": "add the missing key; see docs/pack-format.md",
    "type-mismatch": "compare a fact only with a value of its own type; docs/facts.md lists each fact's type",
    "kind": "see docs/pack-format.md for the keys each rule kind takes",
    "condition": "see docs/pack-format.md for the condition shapes",
    "period": "write a period such as {working_days: 5} or {months: 3}",
    "duplicate-rule": "give each rule its own id",
    "duplicate-provision": "list each label and path once in provisions.yaml",
    "orphan-provision": "list the parent provision (the 条 of a 款, the 款 of a 项) before its parts",
    "reason-missing": "add reason: saying why the text cannot be evaluated",
    "text-missing": "copy the provision's verbatim text into text:",
    "unknown-fact": "docs/facts.md lists every fact (govrules facts)",
    "unknown-provision": "cite a label listed in provisions.yaml",
    "unknown-rule": "name the id of a rule of this pack",
    "unknown-key": "see docs/pack-format.md for the keys allowed here",
}


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its data, its bytes, and the 1-based (line, column) of every node and key."""

    file: str
    data: Any
    raw: bytes
    marks: dict[Path_, tuple[int, int]] = field(repr=False)
    key_marks: dict[Path_, tuple[int, int]] = field(repr=False)

    def locate(self, path: Path_, *, key: bool = False) -> tuple[int | None, int | None]:
        """Where the node at ``path`` (or its key) starts, or its nearest located ancestor."""
        if key and path in self.key_marks:
            return self.key_marks[path]
        probe = tuple(path)
        while True:
            if probe in self.marks:
                return self.marks[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]

    def problem(
        self, path: Path_, message: str, *, hint: str | None = None, code: str = "invalid",
        key: bool = False, message_zh: str | None = None, hint_zh: str | None = None,
    ) -> PackProblem:
        """A problem located at the node (or key) at ``path`` of this file.

        A problem without a specific hint gets the general advice for its code, so every problem
        says how to fix it.
        """
        line, column = self.locate(path, key=key)
        hint_zh_given = hint_zh
        typed = _ime_at(self.raw, line, column)
        if typed is not None:
            # 【第十七条】 or “第十七条” read as text: the problem is the input method's (issue 15).
            en, en_hint, zh, zh_hint = ime_text(typed)
            hint, hint_zh = f"{en}: {en_hint}", f"{zh}：{zh_hint}"
        return PackProblem(
            file=self.file, line=line, column=column, path=tuple(path), message=message,
            hint=hint or DEFAULT_HINTS.get(code, DEFAULT_HINTS["invalid"]), code=code,
            message_zh=message_zh, hint_zh=hint_zh if typed is not None else hint_zh_given,
        )


@lru_cache(maxsize=8)
def _lines_of(raw: bytes) -> tuple[str, ...]:
    return tuple(raw.decode("utf-8", "replace").split("\n"))


def _ime_at(raw: bytes, line: int | None, column: int | None) -> str | None:
    """The input-method mistake a value starting at (line, column) begins with: “ or 【, or None."""
    if line is None or column is None:
        return None
    lines = _lines_of(raw)
    if line > len(lines) or column > len(lines[line - 1]):
        return None
    return {"“": "ime-quote", "【": "ime-bracket"}.get(lines[line - 1][column - 1])


def _mark(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _ime_problem(file: str, node: Node, path: Path_, found: tuple[str, int]) -> PackProblem:
    """An input-method character found at ``offset`` in the text of a plain scalar ``node``."""
    code, offset = found
    line, column = _mark(node)
    if node.end_mark.line == node.start_mark.line:  # one line: the character's own column
        column += offset
    message, hint, message_zh, hint_zh = ime_text(code)
    return PackProblem(file=file, line=line, column=column, path=path, code=code, message=message, hint=hint,
                       message_zh=message_zh, hint_zh=hint_zh)


def _walk(
    node: Node, path: Path_, file: str, marks: dict[Path_, tuple[int, int]],
    key_marks: dict[Path_, tuple[int, int]], problems: list[PackProblem], in_flow_list: bool = False,
) -> None:
    """Record every node's position and find what the strict reading refuses."""
    marks[path] = _mark(node)
    if isinstance(node, ScalarNode) and not node.style and isinstance(node.value, str):
        # Typed with a Chinese input method: 【第十七条】 meant as a list, [甲，乙] as two items (issue 15).
        ime = ime_scalar_mistake(node.value, in_flow_list)
        if ime is not None:
            problems.append(_ime_problem(file, node, path, ime))
            return
    if (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int" and not node.style
            and node.value[:2] in ("0x", "0o")):
        # 0x10 and 0o17 read as 16 and 15 元 (issue 14): no pack or project means a number in base 16 or 8.
        line, column = _mark(node)
        problems.append(PackProblem(
            file=file, line=line, column=column, path=path, code="number-base",
            message=f"{node.value} is a number in base {16 if node.value[1] == 'x' else 8}",
            hint=f'write the number in decimal, or quote it ("{node.value}") for text',
        ))
        return
    if node.tag not in _ALLOWED_TAGS:
        line, column = _mark(node)
        if node.tag == _AMBIGUOUS_TAG:
            problems.append(PackProblem(
                file=file, line=line, column=column, path=path, code="ambiguous-boolean",
                message=f"bare {node.value!r} is a boolean in YAML 1.1 and text in YAML 1.2",
                hint=f'write true or false for a yes/no value, or quote it ("{node.value}") for text',
            ))
        else:
            problems.append(PackProblem(
                file=file, line=line, column=column, path=path, code="tag",
                message=f"YAML tag {node.tag!r} is not allowed",
                hint="remove the tag; rule files hold plain text, numbers, lists and mappings",
            ))
        return
    if isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, path + (index,), file, marks, key_marks, problems, bool(node.flow_style))
    elif isinstance(node, MappingNode):
        first_seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _ALLOWED_TAGS:
                line, column = _mark(key_node)
                problems.append(PackProblem(
                    file=file, line=line, column=column, path=path, code="key",
                    message="a mapping key must be plain text",
                    hint="quote the key if it looks like a boolean (\"Y\", \"on\"); keys cannot be lists, "
                    "mappings or tagged values",
                ))
                continue
            key = key_node.value
            if key_node.tag == "tag:yaml.org,2002:int":
                key = str(key)
            ime = ime_key_mistake(key) if not key_node.style else None
            if ime is not None:  # "\u3000\u3000outcome" (indented with full-width spaces) or "outcome："
                problems.append(_ime_problem(file, key_node, path + (key,), ime))
                continue
            if key in first_seen:
                line, column = _mark(key_node)
                was = first_seen[key]
                problems.append(PackProblem(
                    file=file, line=line, column=column, path=path + (key,),
                    code="duplicate-key",
                    message=f"duplicate key {key!r} (first defined at line {was[0]})",
                    hint="each key may appear once in a mapping; merge the two entries",
                ))
                continue
            first_seen[key] = _mark(key_node)
            key_marks[path + (key,)] = _mark(key_node)
            _walk(value_node, path + (key,), file, marks, key_marks, problems)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


#: Deepest nesting of collections accepted. A real pack nests a rule's conditions a few levels;
#: far deeper input would overflow the recursive composer (a RecursionError, or a segmentation
#: fault in libyaml's C composer at ~100 000 levels), so it is refused from the token stream, which
#: is read without recursion, before any parser sees it.
MAX_DEPTH = 64

_OPENING = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
            yaml.FlowSequenceStartToken)
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)

#: The scanners the pre-scan reads tokens with: libyaml's (fast) when PyYAML has it, then PyYAML's
#: pure-Python one. libyaml's scanner looks up to 1 024 characters ahead for a possible key and, from
#: PyYAML 6.0.4 on, refuses more than 1 000 levels of nesting there itself, before it hands over the
#: token that is one level too deep for us; the pure-Python scanner has no limit of its own. So
#: whenever libyaml's scanner stops early, the text is scanned again with the pure-Python one, and the
#: answer (``too-deep`` at the first opening one level too deep) is the same with every PyYAML.
_SCANNERS: tuple[type, ...] = tuple(dict.fromkeys((_Base, yaml.SafeLoader)))


def _scan_problems(text: str, file: str, scanner: type) -> tuple[list[PackProblem], bool]:
    """Every anchor and alias and the first too-deep opening; and whether the scan reached the end."""
    problems = []
    depth = 0
    try:
        for token in yaml.scan(text, Loader=scanner):
            if isinstance(token, _OPENING):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(PackProblem(
                        file=file, line=token.start_mark.line + 1, column=token.start_mark.column + 1,
                        code="too-deep", message=f"collections are nested more than {MAX_DEPTH} levels deep",
                        hint="no rule needs this depth; flatten the conditions (all/any take lists)",
                    ))
                    return problems, True
            elif isinstance(token, _CLOSING):
                depth -= 1
            elif isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                what = "anchor" if isinstance(token, yaml.AnchorToken) else "alias"
                problems.append(PackProblem(
                    file=file, line=token.start_mark.line + 1, column=token.start_mark.column + 1,
                    code="alias", message=f"YAML {what} '{token.value}' is not allowed in rule files "
                    "(anchors & and aliases * hide structure)", hint="write the value out in full",
                ))
    except yaml.YAMLError:
        return problems, False
    return problems, True


def _prescan(text: str, file: str, scanners: tuple[type, ...] = _SCANNERS) -> None:
    """Refuse every anchor (&) and alias (*), each at its own position, and too-deep nesting."""
    problems: list[PackProblem] = []
    for scanner in scanners:
        problems, complete = _scan_problems(text, file, scanner)
        if complete:
            break
        # A scanner stopped early: a syntax error (the parser reports it with its position) or its
        # own nesting limit. The next scanner reads the text again; the last one's findings so far
        # are kept.
    if len(problems) > _MAX_REPORTED:
        extra = len(problems) - _MAX_REPORTED
        first_unreported = problems[_MAX_REPORTED]
        problems = problems[:_MAX_REPORTED] + [PackProblem(
            file=file, line=first_unreported.line, column=first_unreported.column, code="alias",
            message=f"… and {extra} more anchors or aliases from here on", hint="write every value out in full",
        )]
    if problems:
        raise YamlReadError(problems)


def _too_large(file: str, size: int, max_bytes: int) -> YamlReadError:
    return YamlReadError([PackProblem(
        file=file, code="too-large",
        message=f"the file is {size:,} bytes; the limit is {max_bytes:,}",
        hint="no rule file of a real measure comes near this size",
    )])


def _decode(raw: bytes, file: str) -> str:
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start]
        line = before.count(b"\n") + 1
        # Columns count characters, as everywhere else, not bytes.
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise YamlReadError([PackProblem(
            file=file, line=line, column=column, code="encoding",
            message=f"the file is not valid UTF-8 (byte 0x{body[exc.start]:02x})",
            hint="save the file as UTF-8",
        )]) from None


def _mended(text: str, typed: list[PackProblem], error_line: int | None) -> bool:
    """Whether ``text`` with the input-method characters ``typed`` typed right parses, or breaks only
    after ``error_line``: then they, not something else, broke it there."""
    fixed = ime_fixed(text, [ImeMistake(p.code, p.line or 0, p.column or 0) for p in typed])
    loader = _StrictLoader(fixed)
    try:
        loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and error_line is not None and mark.line + 1 > error_line
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return True


def _ime_before(text: str, file: str, line: int | None) -> list[PackProblem]:
    """The input-method characters typed where YAML reads structure, up to ``line`` (all if None)."""
    problems = []
    for mistake in ime_mistakes(text):
        if line is not None and mistake.line > line:
            break
        problems.append(PackProblem(
            file=file, line=mistake.line, column=mistake.column, code=mistake.code, message=mistake.message,
            hint=mistake.hint, message_zh=mistake.message_zh, hint_zh=mistake.hint_zh))
    return problems


def read_yaml_text(raw: bytes, file: str, *, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Parse ``raw`` (the bytes of ``file``) strictly; raise ``YamlReadError`` with every problem."""
    if len(raw) > max_bytes:
        raise _too_large(file, len(raw), max_bytes)
    text = _decode(raw, file)
    _prescan(text, file)
    loader = _StrictLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if exc.context_mark is not None and exc.problem == "found unexpected end of stream":
                mark = exc.context_mark  # where the unclosed quote or bracket opens, not the file's end
            syntax = PackProblem(
                file=file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
                code="syntax",
                message=f"YAML syntax error: {exc.problem or exc.context}",
                hint=exc.context if exc.problem and exc.context else "check the indentation and quoting here",
            )
            # The parser stops lines after an input-method character (issue 15): report the character
            # where it was typed; the parser's own words too, unless typing it right mends the file.
            typed = _ime_before(text, file, syntax.line)
            if typed and not _mended(text, typed, syntax.line):
                typed.append(syntax)
            raise YamlReadError(typed or [syntax]) from None
        except yaml.reader.ReaderError as exc:
            line, column = _position(text, exc.position)
            raise YamlReadError([PackProblem(
                file=file, line=line, column=column, code="syntax",
                message=f"character {chr(exc.character) if isinstance(exc.character, int) else exc.character!r}"
                " is not allowed in YAML",
                hint="remove the control character",
            )]) from None
        except yaml.YAMLError as exc:
            raise YamlReadError([PackProblem(file=file, code="syntax", message=str(exc),
                                             hint="check the file is YAML")]) from None
        marks: dict[Path_, tuple[int, int]] = {}
        key_marks: dict[Path_, tuple[int, int]] = {}
        problems: list[PackProblem] = []
        if node is None:
            return YamlDocument(file=file, data=None, raw=raw, marks=marks, key_marks=key_marks)
        if isinstance(node, ScalarNode):  # "amount： 500万" alone reads as one text, not a mapping
            problems.extend(_ime_before(text, file, None))
        _walk(node, (), file, marks, key_marks, problems)
        if problems:
            raise YamlReadError(problems)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return YamlDocument(file=file, data=data, raw=raw, marks=marks, key_marks=key_marks)


def read_yaml(path: Path, *, display: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Read and parse the file at ``path``; ``display`` is the name used in problems."""
    from .safefiles import InputFileError, check_regular, read_limited

    name = display or str(path)
    try:
        # Only a regular file, its size checked before a byte is read: a FIFO, /dev/zero or a
        # symlink loop is refused, never read (issue 14).
        size = check_regular(path)
        if size > max_bytes:
            raise _too_large(name, size, max_bytes)
        raw = read_limited(path, max_bytes)
    except InputFileError as exc:
        if exc.code == "too-large":
            raise _too_large(name, max_bytes + 1, max_bytes) from None
        message = "the file is not a regular file (a directory, device, FIFO or socket)" \
            if exc.code == "not-a-file" else f"cannot read the file: {exc.message.rpartition(': ')[2]}"
        raise YamlReadError([PackProblem(file=name, code=exc.code, message=message,
                                         hint="point to a regular YAML file")]) from None
    return read_yaml_text(raw, name, max_bytes=max_bytes)
