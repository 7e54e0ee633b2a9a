"""Errors as data: located, structured problems, one exception type per audience.

``PackError`` is for the people who write rule packs (and holiday files): every problem names the
file, line and column. ``ProjectError`` is for the systems and people who submit projects: every
problem names the field. Both carry *all* problems found, not only the first, in the spirit of
python-jsonschema's ``ValidationError`` (path, message, context).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "GovrulesError",
    "PackError",
    "PackProblem",
    "ProjectError",
    "ProjectProblem",
    "did_you_mean",
    "safe_repr",
]


@dataclass(frozen=True, slots=True)
class PackProblem:
    """One thing wrong with a pack file, with where it is and how to fix it.

    ``line`` and ``column`` are 1-based; ``path`` is the location inside the YAML document
    (mapping keys and list indexes), so programs can point at the node without re-parsing.
    """

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    path: tuple[str | int, ...] = ()
    hint: str | None = None
    code: str = "invalid"
    message_zh: str | None = None  # the same problem in Chinese, for the people who edit packs
    hint_zh: str | None = None

    def __post_init__(self) -> None:
        _fill_chinese(self)

    def location(self) -> str:
        """``file:line:column``, leaving out what is not known."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for editors and other programs."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": list(self.path),
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "message_zh": self.message_zh,
            "hint_zh": self.hint_zh,
        }


@dataclass(frozen=True, slots=True)
class ProjectProblem:
    """One bad field of a submitted project."""

    field: str
    message: str
    value: Any = None
    hint: str | None = None
    code: str = "invalid"
    message_zh: str | None = None  # the same problem in Chinese
    hint_zh: str | None = None
    line: int | None = None  # where in the project file, when it is known (a YAML error)
    column: int | None = None

    def __post_init__(self) -> None:
        _fill_chinese(self)

    def where(self) -> str:
        """The field, and where in the file it is when that is known: ``amount (line 3, column 7)``."""
        if self.line is None:
            return self.field
        if self.field.startswith("(line "):
            return f"(line {self.line}" + (f", column {self.column}" if self.column else "") + ")"
        return f"{self.field} (line {self.line}" + (f", column {self.column}" if self.column else "") + ")"

    def __str__(self) -> str:
        text = f"{self.where()}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form; the offending value is rendered as text so any input serializes."""
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "value": None if self.value is None else safe_repr(self.value),
            "hint": self.hint,
            "message_zh": self.message_zh,
            "hint_zh": self.hint_zh,
            "line": self.line,
            "column": self.column,
        }


def _fill_chinese(problem: PackProblem | ProjectProblem) -> None:
    """A problem built with its English only gets its Chinese from ``govrules.messages``, so every
    problem speaks both languages whatever site found it."""
    if problem.message_zh is not None and (problem.hint_zh is not None or problem.hint is None):
        return
    from .messages import translate

    message_zh, hint_zh = translate(problem.code, problem.message, problem.hint)
    if problem.message_zh is None:
        object.__setattr__(problem, "message_zh", message_zh)
    if problem.hint_zh is None and problem.hint is not None:
        object.__setattr__(problem, "hint_zh", hint_zh)


class GovrulesError(Exception):
    """Base of the errors govrules raises for a user's mistake (never for its own bugs)."""


class PackError(GovrulesError):
    """A rule pack (or holiday file) could not be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[PackProblem]) -> None:
        self.problems: tuple[PackProblem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("PackError needs at least one problem")
        super().__init__(self._summary())

    def _summary(self) -> str:
        head = f"{len(self.problems)} problem(s) in rule pack(s)"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {"error": "pack", "problems": [p.to_dict() for p in self.problems]}


class ProjectError(GovrulesError):
    """A submitted project is invalid; ``problems`` names each bad field."""

    def __init__(self, problems: Iterable[ProjectProblem], source: str | None = None) -> None:
        self.problems: tuple[ProjectProblem, ...] = tuple(problems)
        self.source = source
        if not self.problems:
            raise ValueError("ProjectError needs at least one problem")
        super().__init__(self._summary())

    def _summary(self) -> str:
        where = f" in {self.source}" if self.source else ""
        head = f"{len(self.problems)} bad field(s){where}"
        if all(p.field == "(file)" and p.line is None for p in self.problems):
            head = f"cannot use the project file {self.source or ''}".rstrip()
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": "project",
            "source": self.source,
            "problems": [p.to_dict() for p in self.problems],
        }


def did_you_mean(word: str, choices: Sequence[str] | Iterable[str]) -> str | None:
    """A "did you mean …?" hint naming the closest known spelling, or None if none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def safe_repr(value: Any) -> str:
    """``repr(value)`` for messages, even for an int too long to print (over 4300 digits) or a deep list."""
    try:
        return repr(value)
    except ValueError:  # int max_str_digits: say what it is instead of failing to report the problem
        if isinstance(value, int):
            return f"<an integer of about {int(value.bit_length() * 0.30103) + 1} digits>"
        return f"<unprintable {type(value).__name__}>"
    except RecursionError:  # a list nested thousands deep, passed straight from Python
        return f"<a {type(value).__name__} nested too deeply to print>"
