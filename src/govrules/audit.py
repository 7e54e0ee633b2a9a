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

#: Version of the log line layout; bumped only on an incompatible change.
LOG_FORMAT = 1

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
        digest = hmac.new(self._salt.encode("utf-8"), canonical_json(value).encode("utf-8"), hashlib.sha256)
        return "hmac-sha256:" + digest.hexdigest()

    def entry(self, project: Project, report: Report) -> dict[str, Any]:
        """The log line for ``report`` (evaluated from ``project``), as data."""
        given = project.to_dict()
        masked = [m for m in self.mask if m in given]
        for name in masked:
            given[name] = self._masked_value(given[name])
        report_data = report.to_dict()
        return {
            "log_format": LOG_FORMAT,
            "recorded_at": self._clock().isoformat(timespec="seconds"),
            "decision_id": report.decision_id,
            "engine": report_data["engine"],
            "jurisdiction": report.jurisdiction,
            "as_of": report.as_of.isoformat(),
            "packs": [{"id": p.id, "version": p.version, "content_hash": p.content_hash} for p in report.packs],
            "calendar": report_data["calendar"],
            "input": given,
            **({"readings": dict(report.readings)} if report.readings else {}),
            "masked": masked,
            "mask": ("hmac-sha256" if self._salt else "redacted") if masked else None,
            "report_hash": _report_hash(report),
            "outcome": outcome_of(report),
            "report": None if masked else report_data,
        }

    def write(self, project: Project, report: Report) -> dict[str, Any]:
        """Append the line for ``report``; returns it."""
        entry = self.entry(project, report)
        line = canonical_json(entry) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)
        return entry

    def evaluate(self, engine: Engine, project: Project | Mapping[str, Any] | str | Path, jurisdiction: str,
                 as_of: _dt.date | None = None, *, readings: Mapping[str, str | None] | None = None) -> Report:
        """``engine.evaluate(...)``, recorded. A ``ProjectError`` is raised as usual and not logged."""
        self._check_mask(engine)
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


def read_log(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, entry) for every line of the log at ``path``; ``LogError`` names a bad line."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise LogError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError as exc:
                raise LogError(f"{path}:{number}: not a JSON line ({exc})") from None
            if not isinstance(entry, dict) or entry.get("log_format") != LOG_FORMAT:
                raise LogError(f"{path}:{number}: not a govrules decision log line of format {LOG_FORMAT}")
            yield number, entry


@dataclass(frozen=True)
class ReplayResult:
    """What replaying one log line found: ``same``, ``different`` or ``skipped`` (with why)."""

    line: int
    decision_id: str
    verdict: str
    differences: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        text = f"line {self.line} {self.decision_id[:19]}…: {self.verdict}"
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


def replay_entry(engine: Engine, number: int, entry: Mapping[str, Any]) -> ReplayResult:
    """Re-evaluate one logged entry with ``engine`` and compare (see ``replay``)."""
    did = str(entry.get("decision_id", ""))
    masked = list(entry.get("masked") or [])
    as_of = _dt.date.fromisoformat(entry["as_of"])
    jurisdiction = entry["jurisdiction"]
    setup: list[str] = []
    setup += _compare("engine version", entry["engine"]["version"], engine_version())
    loaded = {p.id: p for p in engine.packs}
    for ref in entry["packs"]:
        pack = loaded.get(ref["id"])
        if pack is None:
            setup.append(f"pack {ref['id']}: not loaded now")
        else:
            setup += _compare(f"pack {ref['id']} content hash", ref["content_hash"], pack.content_hash)
    setup += _compare("calendar fingerprint", entry["calendar"]["fingerprint"], engine.calendar.fingerprint())
    given = dict(entry["input"])
    if masked:
        read = {name for pack in engine.packs for rule in pack.rules for name in rule.facts()}
        decisive = sorted(set(masked) & read)
        if decisive:
            return ReplayResult(number, did, "skipped", (
                "masked field(s) " + ", ".join(decisive) + " are read by rules; replay needs their values",))
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


def replay(engine: Engine, path: str | Path) -> list[ReplayResult]:
    """Re-evaluate every line of the log at ``path``; one result per line.

    An unmasked line must give the same decision id and a byte-identical report (by hash). A
    masked line is replayed when no rule reads a masked field (e.g. ``owner_unit_name``, ``id``):
    the decisions (status, due date, missing facts, override) must be the same; otherwise it is
    ``skipped``, because the values that decided it are not in the log. The engine, packs and
    calendar in use are compared with those logged, and any change is listed.
    """
    return [replay_entry(engine, number, entry) for number, entry in read_log(path)]


def engine_version() -> str:
    from . import __version__

    return __version__
