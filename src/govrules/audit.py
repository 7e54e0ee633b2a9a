"""Audit: decision ids, an append-only decision log, masking, and replay of past decisions.

A decision that cuts a department's funding will be challenged, so each evaluation can be
recorded as one JSON line (what was submitted, what was decided, on which packs, engine and
calendar) and re-run later: ``replay`` evaluates every logged input again and reports any
difference. The log format and the masking of sensitive fields are described in docs/trust.md.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import GovrulesError, ProjectError
from .projects import Project, parse_project

if TYPE_CHECKING:  # evaluation imports this module; only type checkers need the reverse
    from .evaluation import Engine
    from .model import Pack
    from .report import Report

__all__ = [
    "LOG_FORMAT",
    "MIN_SALT_LENGTH",
    "DecisionLog",
    "LogError",
    "ReplayResult",
    "canonical_json",
    "decision_id",
    "outcome_of",
    "read_log",
    "replay",
]

#: Version of the log line layout; bumped only on an incompatible change. Format 2 (issue 14): a line
#: with masked fields keys its ``decision_id`` and ``report_hash`` with the salt (or leaves them out
#: without one), and a line written with a salt carries a ``seal``. Format 1 lines are still replayed.
LOG_FORMAT = 2
READABLE_FORMATS = (1, 2)

#: A salt shorter than this would let anyone guess masked values by hashing candidates.
MIN_SALT_LENGTH = 16


class LogError(GovrulesError):
    """A decision log cannot be written or read (bad mask field, unreadable or malformed line)."""


def canonical_json(data: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 text kept (the basis of every hash here)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def decision_id(project: Project, jurisdiction: str, as_of: _dt.date, packs: Iterable[Pack],
                engine_version: str, calendar_fingerprint: str, *,
                readings: Mapping[str, str | None] | None = None) -> str:
    """A sha256 over everything a report depends on, so equal ids mean equal reports.

    The project enters in its validated form (``Project.to_dict``), so ``"500万元"`` and
    ``5000000`` give the same id; ``packs`` are those consulted for the jurisdiction and its
    parents (in force or not: a pack out of force still produces a notice); ``readings`` the
    answers a caller chose otherwise than the packs (left out when there are none, so ids of
    evaluations under the packs' own readings are unchanged).
    """
    content: dict[str, Any] = {
        "project": project.to_dict(),
        "jurisdiction": jurisdiction,
        "as_of": as_of.isoformat(),
        "packs": sorted([p.id, p.version, p.content_hash] for p in packs),
        "engine_version": engine_version,
        "calendar": calendar_fingerprint,
    }
    if readings:
        content["readings"] = dict(sorted(readings.items()))
    return _sha256(canonical_json(content))


def outcome_of(report: Report) -> list[dict[str, Any]]:
    """The decisions without their values (no facts, no explanations): what was decided, per rule."""
    return [{"rule": d.rule, "status": d.status.value, "due": d.due.isoformat() if d.due else None,
             "provisional": d.provisional, "missing": list(d.missing), "overridden_by": d.overridden_by}
            for d in report.decisions]


def _report_hash(report: Report) -> str:
    return _sha256(canonical_json(report.to_dict()))


def _keyed(salt: str, text: str) -> str:
    return "hmac-sha256:" + hmac.new(salt.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def seal_of(entry: Mapping[str, Any], salt: str) -> str:
    """The HMAC, keyed with ``salt``, of a log line without its own ``seal``."""
    return _keyed(salt, canonical_json({k: v for k, v in entry.items() if k != "seal"}))


# ---------------------------------------------------------------------------------------------
# Writing


class DecisionLog:
    """Appends one JSON line per evaluation to ``path``; safe to share between threads.

    ``mask`` names project fields (facts, ``id`` or ``name``) whose values must not be written.
    With a ``salt`` (keep it secret, at least 16 characters) a masked value is replaced by
    ``hmac-sha256:…`` of the value, so whoever holds the salt and the original can prove which
    value it was; without one, by ``"***"``. A line with masked fields carries no full report
    (explanations quote values), only the value-free outcome and the report's hash.
    """

    def __init__(self, path: str | Path, *, mask: Iterable[str] = (), salt: str | None = None,
                 clock: Callable[[], _dt.datetime] | None = None) -> None:
        self.path = Path(path)
        self.mask = tuple(dict.fromkeys(mask))
        if salt is not None and len(salt) < MIN_SALT_LENGTH:
            raise LogError(f"a mask salt needs at least {MIN_SALT_LENGTH} characters; "
                           "a short one lets masked values be guessed")
        self._salt = salt
        self._clock = clock or (lambda: _dt.datetime.now(_dt.UTC))
        self._lock = threading.Lock()

    def _check_mask(self, engine: Engine) -> None:
        known = set(engine.vocabulary) | {"id", "name"}
        unknown = [m for m in self.mask if m not in known]
        if unknown:
            from .errors import did_you_mean

            hints = [did_you_mean(m, sorted(known)) for m in unknown]
            raise LogError("cannot mask unknown field(s) " + ", ".join(map(repr, unknown))
                           + "".join(f"; {h}" for h in hints if h))

    def _masked_value(self, value: Any) -> str:
        if self._salt is None:
            return "***"
        return _keyed(self._salt, canonical_json(value))

    def entry(self, project: Project, report: Report) -> dict[str, Any]:
        """The log line for ``report`` (evaluated from ``project``), as data.

        ``decision_id`` and ``report_hash`` are unsalted hashes over the whole project, so on a
        line with masked fields they would let anyone recover a masked value by hashing guesses
        (issue 14: 8600000 in 861 guesses). There they are keyed with the salt (an HMAC of the
        plain value, which whoever holds the salt can check against a report), or left out (null)
        when there is no salt."""
        given = project.to_dict()
        masked = [m for m in self.mask if m in given]
        for name in masked:
            given[name] = self._masked_value(given[name])
        report_data = report.to_dict()
        did: str | None
        report_hash: str | None
        did, report_hash = report.decision_id, _report_hash(report)
        if masked:
            did = _keyed(self._salt, did) if self._salt else None
            report_hash = _keyed(self._salt, report_hash) if self._salt else None
        entry: dict[str, Any] = {
            "log_format": LOG_FORMAT,
            "recorded_at": self._clock().isoformat(timespec="seconds"),
            "decision_id": did,
            "engine": report_data["engine"],
            "jurisdiction": report.jurisdiction,
            "as_of": report.as_of.isoformat(),
            "packs": [{"id": p.id, "version": p.version, "content_hash": p.content_hash} for p in report.packs],
            "calendar": report_data["calendar"],
            "input": given,
            **({"readings": dict(report.readings)} if report.readings else {}),
            "masked": masked,
            "mask": ("hmac-sha256" if self._salt else "redacted") if masked else None,
            "report_hash": report_hash,
            "outcome": outcome_of(report),
            "report": None if masked else report_data,
        }
        if self._salt:
            # The whole line, keyed: an edit anywhere (the input, the outcome, the masked list) is
            # found by whoever replays with the salt.
            entry["seal"] = seal_of(entry, self._salt)
        return entry

    def check_writable(self) -> None:
        """Raise ``LogError`` unless a line can be appended to the log: called before evaluating,
        so a bad ``--log`` path never costs an evaluation or ends in a traceback (issue 14)."""
        import os
        import stat

        parent = self.path.parent
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise LogError(f"cannot write the log {self.path}: {exc.strerror}") from None
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise LogError(f"cannot write the log {self.path}: it is not a regular file (a directory, device or FIFO)")
        if not parent.is_dir():
            raise LogError(f"cannot write the log {self.path}: the directory {parent} does not exist")
        if not os.access(self.path if info is not None else parent, os.W_OK):
            raise LogError(f"cannot write the log {self.path}: permission denied")

    def write(self, project: Project, report: Report) -> dict[str, Any]:
        """Append the line for ``report``; returns it."""
        entry = self.entry(project, report)
        line = canonical_json(entry) + "\n"
        try:
            with self._lock, self.path.open("a", encoding="utf-8") as out:
                out.write(line)
        except OSError as exc:
            raise LogError(f"cannot write the log {self.path}: {exc.strerror}") from None
        return entry

    def evaluate(self, engine: Engine, project: Project | Mapping[str, Any] | str | Path, jurisdiction: str,
                 as_of: _dt.date | None = None, *, readings: Mapping[str, str | None] | None = None) -> Report:
        """``engine.evaluate(...)``, recorded. A ``ProjectError`` is raised as usual and not logged."""
        self._check_mask(engine)
        self.check_writable()
        if isinstance(project, (str, Path)):
            from .projects import read_project

            project = read_project(project, engine.vocabulary)
        elif not isinstance(project, Project):
            project = parse_project(project, engine.vocabulary)
        report = engine.evaluate(project, jurisdiction, as_of, readings=readings)
        self.write(project, report)
        return report


# ---------------------------------------------------------------------------------------------
# Reading and replaying


def _open_log(path: Path) -> Any:
    from .safefiles import InputFileError, check_regular

    try:
        check_regular(path)  # a FIFO or a device would block or never end
        return path.open("rb")
    except InputFileError as exc:
        raise LogError(str(exc)) from None
    except OSError as exc:
        raise LogError(f"cannot read {path}: {exc.strerror}") from None


def _parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """A log line as an entry, or why it is not one."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except RecursionError:
        return None, "not a JSON line (nested too deeply)"
    except ValueError as exc:
        return None, f"not a JSON line ({exc})"
    if not isinstance(entry, dict) or entry.get("log_format") not in READABLE_FORMATS:
        return None, f"not a govrules decision log line of format {' or '.join(map(str, READABLE_FORMATS))}"
    return entry, None


def read_log(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, entry) for every line of the log at ``path``; ``LogError`` names a bad line."""
    path = Path(path)
    for number, entry, problem in _lines(path):
        if entry is None:
            raise LogError(f"{path}:{number}: {problem}")
        yield number, entry


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, entry or None, problem or None) for every non-blank line of a log."""
    with _open_log(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                entry, problem = _parse_line(line)
                yield number, entry, problem


@dataclass(frozen=True)
class ReplayResult:
    """What replaying one log line found: ``same``, ``different``, ``skipped`` (with why), or ``bad``
    (the line is not a readable log entry: truncated, malformed, missing keys)."""

    line: int
    decision_id: str
    verdict: str
    differences: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        text = f"line {self.line} {self.decision_id[:19] + '…' if self.decision_id else '(no decision id)'}: {self.verdict}"
        return text + "".join(f"\n  {d}" for d in self.differences)


def _compare(label: str, logged: Any, now: Any) -> list[str]:
    return [] if logged == now else [f"{label}: logged {logged!r}, now {now!r}"]


def _outcome_differences(logged: Sequence[Mapping[str, Any]], now: Sequence[Mapping[str, Any]]) -> list[str]:
    before = {d["rule"]: d for d in logged}
    after = {d["rule"]: d for d in now}
    out = [f"rule {r}: no longer decided" for r in before if r not in after]
    out += [f"rule {r}: not in the logged decision" for r in after if r not in before]
    for rule in before.keys() & after.keys():
        for key in ("status", "due", "provisional", "missing", "overridden_by"):
            if before[rule].get(key) != after[rule].get(key):
                out.append(f"rule {rule}: {key} logged {before[rule].get(key)!r}, now {after[rule].get(key)!r}")
    return sorted(out)


_MASK = re.compile(r"^(?:\*\*\*|hmac-sha256:[0-9a-f]{64})$")


def _shape_problems(entry: Mapping[str, Any]) -> list[str]:
    """What keeps ``entry`` from being replayed at all (a missing key, a wrong type, a bad date)."""
    problems = []

    def need(key: str, kind: type | tuple[type, ...], what: str) -> None:
        if not isinstance(entry.get(key), kind):
            problems.append(f"{key} is {'missing' if key not in entry else 'not ' + what}")

    need("jurisdiction", str, "text")
    need("as_of", str, "a date")
    need("input", dict, "an object")
    need("packs", list, "a list")
    need("engine", dict, "an object")
    need("calendar", dict, "an object")
    need("outcome", list, "a list")
    if "masked" in entry and not isinstance(entry["masked"], list):
        problems.append("masked is not a list")
    if isinstance(entry.get("as_of"), str):
        try:
            _dt.date.fromisoformat(entry["as_of"])
        except ValueError:
            problems.append(f"as_of {entry['as_of']!r} is not a date")
    if isinstance(entry.get("packs"), list) and not all(
            isinstance(p, dict) and isinstance(p.get("id"), str) for p in entry["packs"]):
        problems.append("packs must list objects with an id")
    if isinstance(entry.get("outcome"), list) and not all(
            isinstance(d, dict) and isinstance(d.get("rule"), str) for d in entry["outcome"]):
        problems.append("outcome must list objects with a rule")
    if isinstance(entry.get("masked"), list) and not all(isinstance(m, str) for m in entry["masked"]):
        problems.append("masked must list field names")
    return problems


def _consistency(entry: Mapping[str, Any]) -> list[str]:
    """What shows a line was edited after it was written (issue 14): a masked list that does not
    match masked values, a full report beside masked fields, a report that is not the one hashed."""
    found = []
    masked = list(entry.get("masked") or [])
    given = entry["input"]
    fmt = entry.get("log_format")
    for name in masked:
        if name not in given:
            found.append(f"the line lists {name} as masked but has no {name}")
        elif not (isinstance(given[name], str) and _MASK.match(given[name])):
            found.append(f"the line lists {name} as masked but its value is not a mask")
    if masked:
        if entry.get("mask") not in ("hmac-sha256", "redacted"):
            found.append("the line has masked fields but no mask method")
        if entry.get("report") is not None:
            found.append("the line has masked fields and a full report")
        if fmt == 2 and not (entry.get("decision_id") is None or (
                isinstance(entry.get("decision_id"), str) and entry["decision_id"].startswith("hmac-sha256:"))):
            found.append("the decision id of a masked line is not keyed")
    else:
        if entry.get("mask") is not None:
            found.append("the line has a mask method but no masked field")
        report = entry.get("report")
        if not isinstance(report, dict):
            found.append("the line has no masked field and no report")
        elif entry.get("report_hash") != _sha256(canonical_json(report)):
            found.append("the logged report is not the one its report_hash was computed from (edited after writing)")
        elif report.get("decision_id") != entry.get("decision_id"):
            found.append("the logged report's decision id is not the line's")
    return found


def replay_entry(engine: Engine, number: int, entry: Mapping[str, Any], *, salt: str | None = None) -> ReplayResult:
    """Re-evaluate one logged entry with ``engine`` and compare (see ``replay``)."""
    did = entry.get("decision_id")
    did = did if isinstance(did, str) else ""
    shape = _shape_problems(entry)
    if shape:
        return ReplayResult(number, did, "bad", tuple(shape))
    masked = list(entry.get("masked") or [])
    as_of = _dt.date.fromisoformat(entry["as_of"])
    jurisdiction = entry["jurisdiction"]
    setup: list[str] = _consistency(entry)
    if salt is not None and "seal" in entry:
        if not hmac.compare_digest(str(entry["seal"]), seal_of(entry, salt)):
            setup.append("the line's seal does not match: edited after writing, or written with another salt")
    elif salt is not None and entry.get("mask") == "hmac-sha256":
        setup.append("the masked line has no seal")
    setup += _compare("engine version", (entry["engine"] or {}).get("version"), engine_version())
    loaded = {p.id: p for p in engine.packs}
    for ref in entry["packs"]:
        pack = loaded.get(ref["id"])
        if pack is None:
            setup.append(f"pack {ref['id']}: not loaded now")
        else:
            setup += _compare(f"pack {ref['id']} content hash", ref.get("content_hash"), pack.content_hash)
    setup += _compare("calendar fingerprint", entry["calendar"].get("fingerprint"), engine.calendar.fingerprint())
    given = dict(entry["input"])
    if masked:
        read = {name for pack in engine.packs for rule in pack.rules for name in rule.facts()}
        decisive = sorted(set(masked) & read)
        if decisive and not setup:
            return ReplayResult(number, did, "skipped", (
                "masked field(s) " + ", ".join(decisive) + " are read by rules; replay needs their values",))
        if decisive:
            return ReplayResult(number, did, "different", tuple(setup))
        for name in masked:  # not read by any rule: leaving them out cannot change a decision
            given.pop(name, None)
    try:
        project = parse_project(given, engine.vocabulary)
        report = engine.evaluate(project, jurisdiction, as_of, readings=entry.get("readings") or None)
    except (ProjectError, GovrulesError, KeyError) as exc:
        return ReplayResult(number, did, "different", (*setup, f"cannot evaluate now: {exc}"))
    differences = list(setup)
    differences += _outcome_differences(entry["outcome"], outcome_of(report))
    if not masked:
        differences += _compare("decision id", did, report.decision_id)
        if entry.get("report_hash") != _report_hash(report):
            logged = entry.get("report") or {}
            now = report.to_dict()
            changed = sorted(k for k in set(logged) | set(now) if logged.get(k) != now.get(k))
            differences.append("report differs in: " + ", ".join(changed))
    return ReplayResult(number, did, "different" if differences else "same", tuple(differences))


def replay(engine: Engine, path: str | Path, *, salt: str | None = None) -> list[ReplayResult]:
    """Re-evaluate every line of the log at ``path``; one result per line.

    An unmasked line must give the same decision id and a byte-identical report (by hash), and its
    logged report must be the one its ``report_hash`` names. A masked line is replayed when no rule
    reads a masked field (e.g. ``owner_unit_name``, ``id``): the decisions (status, due date,
    missing facts, override) must be the same; otherwise it is ``skipped``, because the values that
    decided it are not in the log. With the ``salt`` the log was written with, each line's seal is
    checked too. The engine, packs and calendar in use are compared with those logged, and any
    change is listed. A line that is not a readable entry (truncated, malformed, missing keys) is
    ``bad``, and the other lines are still replayed.
    """
    path = Path(path)
    results = []
    for number, entry, problem in _lines(path):
        if entry is None:
            results.append(ReplayResult(number, "", "bad", (problem or "not a log line",)))
            continue
        try:
            results.append(replay_entry(engine, number, entry, salt=salt))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a shape not foreseen above
            results.append(ReplayResult(number, str(entry.get("decision_id") or ""), "bad",
                                        (f"the line cannot be replayed: {type(exc).__name__}: {exc}",)))
    return results


def engine_version() -> str:
    from . import __version__

    return __version__
