"""Loading rule packs: YAML files → published JSON Schema → semantic checks → frozen ``Pack``.

A pack is a directory: ``pack.yaml`` (metadata), ``provisions.yaml`` (the provision registry) and
``rules/*.yaml``. Loading reports every problem of every file at once, each with file, line,
column and a hint, as one ``PackError``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, localcontext
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema

from .conditions import parse_condition, parse_period
from .errors import PackError, PackProblem, did_you_mean
from .model import Citation, Deadline, Dimension, Document, Jurisdiction, Pack, Provision, Rule, RuleKind, Scoring
from .parameters import Parameter, ParameterType, parse_parameters
from .readings import READINGS_FILE, ReadingSpec, parse_readings
from .safefiles import inside
from .vocabulary import FactType, Vocabulary, default_vocabulary
from .yamlfiles import YamlDocument, YamlReadError, read_yaml

__all__ = ["PACK_FILE", "find_pack_dirs", "load_pack", "load_packs", "schema", "schema_problems"]

PACK_FILE = "pack.yaml"
PROVISIONS_FILE = "provisions.yaml"
RULES_DIR = "rules"

#: Deepest chain of ``exception_to`` (an exception to an exception to …) and deepest provision path
#: (条/款/项/目 and outline levels) a pack may have. Real measures use 2 and 4; the bounds keep every
#: algorithm over them, and the provision texts they join, small (issue 14).
MAX_EXCEPTION_DEPTH = 16
MAX_PROVISION_DEPTH = 8

# Keys of the YAML that the condition parser checks itself, with better messages than a schema
# "oneOf" failure can give.
_CONDITION_KEYS = frozenset({"when", "require"})


@cache
def schema(name: str) -> dict[str, Any]:
    """The published JSON Schema ``name`` (pack, provisions, rules, cases)."""
    text = (resources.files("govrules") / "schemas" / f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    import jsonschema  # imported on first validation: a process served from the pack cache never needs it

    return jsonschema.Draft202012Validator(load_time_schema(name))


@cache
def load_time_schema(name: str) -> dict[str, Any]:
    """The published schema ``name`` as the loader validates with it: the same verdicts, cheaper.

    Conditions are checked by the condition parser, which explains a mistake better than a failed
    ``oneOf`` can, and ``schema_problems`` drops every error under ``when``/``require``; so here a
    condition may be anything, instead of every branch of the ``oneOf`` being tried at every
    node. References to ``$defs`` are then inlined, so no reference is resolved per rule. Together
    that was about half of an uncached pack load. Editors get the published schema, unchanged;
    tests/test_loading.py checks both give the same problems on every pack and bad-pack file.
    """
    published = schema(name)
    definitions = dict(published.get("$defs", {}))
    if "condition" in definitions:
        definitions["condition"] = {}

    def inline(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and len(node) == 1 and ref.startswith("#/$defs/"):
            target = ref.removeprefix("#/$defs/")
            if target in definitions and target not in seen:  # a recursive definition stays a $ref
                return inline(definitions[target], (*seen, target))
        return {key: inline(value, seen) for key, value in node.items()}

    inlined = {key: inline(value, ()) for key, value in published.items() if key != "$defs"}
    inlined["$defs"] = definitions  # still there for any reference left (a recursive one)
    return inlined


def schema_problems(doc: YamlDocument, name: str, *, validator: Any = None) -> list[PackProblem]:
    """Every place where ``doc`` breaks the published schema, located and in plain words.

    ``validator`` (a jsonschema validator for that schema) defaults to the loader's own.
    """
    problems: list[PackProblem] = []
    for error in (validator or _validator(name)).iter_errors(doc.data):
        path = tuple(error.absolute_path)
        if any(key in _CONDITION_KEYS for key in path if isinstance(key, str)):
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = list(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    problems.append(doc.problem(
                        path + (key,), f"unknown key {key!r}",
                        hint=did_you_mean(str(key), allowed) or "allowed keys: " + ", ".join(allowed),
                        code="unknown-key", key=True,
                    ))
            continue
        if error.validator == "required":
            problems.append(doc.problem(path, error.message.replace("is a required property",
                                                                    "is required here"), code="required"))
            continue
        hint = None
        if error.validator == "enum" and isinstance(error.instance, str):
            hint = did_you_mean(error.instance, [str(v) for v in error.validator_value])
        problems.append(doc.problem(path, error.message, hint=hint, code="schema"))
    return problems


def _read(path: Path, display: str, problems: list[PackProblem]) -> YamlDocument | None:
    try:
        return read_yaml(path, display=display)
    except YamlReadError as exc:
        problems.extend(exc.problems)
        return None


def _date(doc: YamlDocument, path: tuple[str | int, ...], value: Any,
          problems: list[PackProblem]) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(doc.problem(path, f"{value!r} is not a date", hint="write YYYY-MM-DD"))
        return None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the cwd, or a symlink loop
        return str(path)


class _PackLoader:
    def __init__(self, directory: Path, vocab: Vocabulary) -> None:
        self.directory = directory
        self.vocab = vocab
        self.problems: list[PackProblem] = []
        self.hasher = hashlib.sha256()
        # Per file, the list items (e.g. ("rules", 3)) that break the schema: only those are left
        # out of the semantic checks, so one malformed rule does not hide the others' problems.
        self.broken: dict[str, set[tuple[str | int, ...]]] = {}
        self.params: dict[str, Parameter] = {}
        self.readings: dict[str, ReadingSpec] = {}

    def read(self, relative: str, schema_name: str) -> YamlDocument | None:
        """Read one file and check it against its schema; None if it cannot be used at all."""
        path = self.directory / relative
        if not inside(path, self.directory):
            # A symlink out of the pack (to /etc/passwd, say) is never read, so its content can
            # never be quoted in a problem (issue 14).
            self.problems.append(PackProblem(
                file=_display(path), code="outside-pack",
                message="the file is a symlink leading outside the pack directory (or a broken link)",
                hint="copy the file into the pack instead of linking to it"))
            return None
        doc = _read(path, _display(path), self.problems)
        if doc is None:
            return None
        self.hasher.update(relative.encode() + b"\0" + doc.raw + b"\0")
        if doc.data is None:
            self.problems.append(doc.problem((), "the file is empty", hint="write its content, or delete the file"))
            return None
        found = schema_problems(doc, schema_name)
        self.problems.extend(found)
        items = {p.path[:2] for p in found if len(p.path) >= 2 and isinstance(p.path[1], int)}
        whole_file = any(len(p.path) < 2 or not isinstance(p.path[1], int) for p in found)
        if whole_file:
            return None
        self.broken[doc.file] = items
        return doc

    def load(self) -> Pack | None:
        meta_doc = self.read(PACK_FILE, "pack")
        prov_doc = self.read(PROVISIONS_FILE, "provisions")
        readings_doc = self.read(READINGS_FILE, "readings") if (self.directory / READINGS_FILE).exists() else None
        rule_docs = []
        rules_dir = self.directory / RULES_DIR
        if rules_dir.is_dir():
            for path in sorted([*rules_dir.glob("*.yaml"), *rules_dir.glob("*.yml")]):
                doc = self.read(f"{RULES_DIR}/{path.name}", "rules")
                if doc is not None:
                    rule_docs.append(doc)
        if meta_doc is None or prov_doc is None or self.broken[prov_doc.file]:
            # Without sound metadata and registry, rules cannot be checked against them.
            return None
        meta = meta_doc.data
        document = self.document(meta_doc, meta["document"])
        self.params = parse_parameters(meta_doc, meta.get("local_parameters"), self.problems,
                                       self.broken[meta_doc.file])
        provisions = self.provisions(prov_doc)
        if readings_doc is not None:
            self.readings = parse_readings(readings_doc, meta["id"], provisions, self.problems,
                                           self.broken[readings_doc.file])
        rules = self.rules(meta["id"], rule_docs, provisions, document)
        if document is not None and document.in_force_cites and document.in_force_cites not in provisions:
            self.problems.append(meta_doc.problem(
                ("document", "in_force_cites"),
                f"provision {document.in_force_cites!r} is not in the registry",
                hint=did_you_mean(document.in_force_cites, list(provisions)), code="unknown-provision"))
        if self.problems or document is None:
            return None
        j = meta["jurisdiction"]
        return Pack(
            id=meta["id"], version=str(meta["version"]),
            jurisdiction=Jurisdiction(j["id"], j["name"], j.get("parent")),
            document=document, provisions=MappingProxyType(provisions), rules=tuple(rules),
            content_hash="sha256:" + self.hasher.hexdigest(), directory=self.directory,
            description=meta.get("description"), parameters=MappingProxyType(self.params),
            readings=MappingProxyType(self.readings),
        )

    def document(self, doc: YamlDocument, data: dict[str, Any]) -> Document | None:
        dates = {k: _date(doc, ("document", k), data.get(k), self.problems)
                 for k in ("issued", "in_force_from", "in_force_until")}
        if dates["issued"] is None or dates["in_force_from"] is None:
            return None
        until = dates["in_force_until"]
        if until is not None and until < dates["in_force_from"]:
            self.problems.append(doc.problem(("document", "in_force_until"),
                                             "in_force_until is before in_force_from"))
        return Document(
            number=data["number"], title=data["title"], issuer=data["issuer"],
            issued=dates["issued"], in_force_from=dates["in_force_from"], in_force_until=until,
            in_force_cites=data.get("in_force_cites"), repeals=tuple(data.get("repeals", ())),
            numbering=data["numbering"], source=data.get("source"),
        )

    def provisions(self, doc: YamlDocument) -> dict[str, Provision]:
        entries = doc.data["provisions"]
        by_path: dict[tuple[str, ...], int] = {}
        labels: dict[str, int] = {}
        children: dict[tuple[str, ...], list[int]] = {}
        for index, entry in enumerate(entries):
            where = ("provisions", index)
            path = tuple(str(part) for part in entry["path"])
            if entry["label"] in labels:
                self.problems.append(doc.problem(where + ("label",), f"label {entry['label']!r} is used twice",
                                                 code="duplicate-provision"))
            if path in by_path:
                self.problems.append(doc.problem(where + ("path",), f"path {list(path)} is used twice",
                                                 code="duplicate-provision"))
            labels[entry["label"]] = index
            by_path[path] = index
            if len(path) > 1:
                if path[:-1] not in by_path:
                    self.problems.append(doc.problem(
                        where + ("path",), f"the parent {list(path[:-1])} is not listed before this entry",
                        code="orphan-provision"))
                children.setdefault(path[:-1], []).append(index)
            evaluable = entry.get("evaluable", True)
            if not evaluable and not entry.get("reason"):
                self.problems.append(doc.problem(where, "a provision marked evaluable: false needs a reason",
                                                 code="reason-missing"))
            if evaluable and "reason" in entry:
                self.problems.append(doc.problem(where + ("reason",),
                                                 "reason is only for provisions marked evaluable: false"))
            if entry.get("lead_in") and not entry.get("text"):
                self.problems.append(doc.problem(where + ("lead_in",), "lead_in marks the own text of a provision "
                                                 "with sub-items; this one has no text", code="lead-in"))

        too_deep = [i for i, entry in enumerate(entries) if len(entry["path"]) > MAX_PROVISION_DEPTH]
        for index in too_deep[:1]:
            self.problems.append(doc.problem(
                ("provisions", index, "path"),
                f"the provision is nested {len(entries[index]['path'])} levels deep; the limit is "
                f"{MAX_PROVISION_DEPTH}" + (f" ({len(too_deep)} provisions are deeper)" if len(too_deep) > 1 else ""),
                hint="no measure nests provisions this deep (条/款/项/目 is four levels)", code="too-deep"))
        # Each provision's full text is its own text and its parts', in order. Parts are listed after
        # their parent, so one pass from the end builds every text from its parts' texts without
        # recursion (issue 14). Too-deep packs do not load; their texts are not joined at all.
        texts: dict[int, str] = {}
        for index in range(len(entries) - 1, -1, -1):
            entry = entries[index]
            own = entry["text"] if entry.get("text") else ""
            if too_deep:
                texts[index] = own
                continue
            kids = children.get(tuple(str(part) for part in entry["path"]), ())
            texts[index] = own + "".join(texts.get(i, entries[i].get("text") or "") for i in kids if i > index)

        def full_text(index: int) -> str:
            return texts[index]

        result: dict[str, Provision] = {}
        for index, entry in enumerate(entries):
            path = tuple(str(part) for part in entry["path"])
            kids = tuple(entries[i]["label"] for i in children.get(path, ()))
            if not kids and not entry.get("text"):
                self.problems.append(doc.problem(("provisions", index), "a provision with no sub-items needs its text",
                                                 code="text-missing"))
            if not kids and entry.get("lead_in"):
                self.problems.append(doc.problem(("provisions", index, "lead_in"), "lead_in is for a provision "
                                                 "with sub-items (it introduces them)", code="lead-in"))
            line, column = doc.locate(("provisions", index))
            result[entry["label"]] = Provision(
                label=entry["label"], path=path, text=entry.get("text"), full_text=full_text(index),
                evaluable=entry.get("evaluable", True), reason=entry.get("reason"), children=kids,
                at=(doc.file, line, column), lead_in=entry.get("lead_in", False),
            )
        return result

    def rules(self, pack_id: str, docs: Sequence[YamlDocument], provisions: dict[str, Provision],
              document: Document | None) -> list[Rule]:
        rules: list[Rule] = []
        skipped: set[str] = set()
        raw_parent: dict[str, str] = {}
        where_of: dict[str, tuple[YamlDocument, tuple[str | int, ...]]] = {}
        number = document.number if document else ""
        for doc in docs:
            for index, data in enumerate(doc.data["rules"]):
                here: tuple[str | int, ...] = ("rules", index)
                if here in self.broken[doc.file]:
                    # Its schema problems are reported; its meaning cannot be checked, but its id
                    # is still known, so rules naming it are not told it does not exist.
                    if isinstance(data, dict) and isinstance(data.get("id"), str):
                        skipped.add(data["id"])
                    continue
                rule = self.rule(pack_id, doc, here, data, provisions, number)
                if data["id"] in where_of:
                    first_doc, first_path = where_of[data["id"]]
                    line, _ = first_doc.locate(first_path)
                    self.problems.append(doc.problem(
                        here + ("id",), f"rule id {data['id']!r} is already used ({first_doc.file}:{line})",
                        code="duplicate-rule"))
                    continue
                where_of[data["id"]] = (doc, here)
                if isinstance(data.get("exception_to"), str):
                    # Kept even when the rule has other problems, so a cycle through it is reported too.
                    raw_parent[data["id"]] = data["exception_to"]
                if rule is not None:
                    rules.append(rule)
        ids = {r.id for r in rules}
        for rule in rules:
            if (rule.exception_to is not None and rule.exception_to not in ids
                    and rule.exception_to not in where_of and rule.exception_to not in skipped):
                doc, here = where_of[rule.id]
                self.problems.append(doc.problem(
                    here + ("exception_to",), f"exception_to names unknown rule {rule.exception_to!r}",
                    hint=did_you_mean(rule.exception_to, list(ids)), code="unknown-rule"))
        self.check_exception_cycles(raw_parent, where_of)
        # Decisions read best in the document's own order: sort by the first provision cited.
        order = {label: i for i, label in enumerate(provisions)}
        rules.sort(key=lambda r: order.get(r.cites[0].label, len(order)) if r.cites else len(order))
        return rules

    def check_exception_cycles(self, parent: dict[str, str],
                               where_of: dict[str, tuple[YamlDocument, tuple[str | int, ...]]]) -> None:
        """Cycles and over-long chains of ``exception_to``, in time linear in the number of rules and
        without recursion (issue 14: the old walk was cubic and recursive). Each rule has at most one
        parent, so every walk ends at a rule without one, at a rule already settled, or on a cycle."""
        order = {rule: i for i, rule in enumerate(parent)}
        state: dict[str, int] = {}  # 1: on the current walk; 2: settled
        depth: dict[str, int] = {}  # exception_to hops up to a rule without a parent (-1: on a cycle)
        for start in parent:
            if start in state:
                continue
            walk: list[str] = []
            node: str | None = start
            while node is not None and node not in state:
                state[node] = 1
                walk.append(node)
                node = parent.get(node)
            if node is not None and state[node] == 1:  # the walk closed on itself: a cycle
                cycle = walk[walk.index(node):]
                first = min(range(len(cycle)), key=lambda i: order.get(cycle[i], len(order)))
                chain = cycle[first:] + cycle[:first]
                for member in cycle:
                    depth[member] = -1
                doc, here = where_of[chain[0]]
                self.problems.append(doc.problem(
                    here + ("exception_to",),
                    "exceptions form a cycle: " + " → ".join(chain + [chain[0]]),
                    hint="an exception must not, directly or through others, be an exception to itself",
                    code="exception-cycle"))
                walk = walk[:walk.index(node)]
                for member in cycle:
                    state[member] = 2
            # The rest of the walk leads to a root (None), to a settled rule, or into the cycle.
            if node is None:
                base = -1
            elif depth.get(node, -1) == -1:
                base = None
            else:
                base = depth[node]
            for member in reversed(walk):
                state[member] = 2
                if base is None:
                    depth[member] = -1
                else:
                    base += 1
                    depth[member] = base
        for rule, hops in depth.items():
            if hops == MAX_EXCEPTION_DEPTH + 1 and rule in where_of:
                doc, here = where_of[rule]
                self.problems.append(doc.problem(
                    here + ("exception_to",),
                    f"this rule is an exception {hops} levels deep; the limit is {MAX_EXCEPTION_DEPTH}",
                    hint="no measure nests exceptions this deep; make it an exception to a rule nearer the top",
                    code="exception-depth"))

    def rule(self, pack_id: str, doc: YamlDocument, here: tuple[str | int, ...], data: dict[str, Any],
             provisions: dict[str, Provision], number: str) -> Rule | None:
        before = len(self.problems)
        rule_id = data["id"]
        if not rule_id.startswith(pack_id + "."):
            self.problems.append(doc.problem(here + ("id",), f"rule id {rule_id!r} must start with {pack_id + '.'!r}",
                                             hint="rule ids are unique across packs because they start with the pack id"))
        kind = RuleKind(data["kind"])
        citations = self.citations(doc, here + ("cites",), data["cites"], provisions, number)
        when = require = None
        if "when" in data:
            when = parse_condition(data["when"], here + ("when",), doc, self.vocab, self.problems, self.params,
                                   self.readings, pack_id)
        if "require" in data:
            require = parse_condition(data["require"], here + ("require",), doc, self.vocab, self.problems,
                                      self.params, self.readings, pack_id)
        deadline = self.deadline(doc, here, data.get("deadline"))
        scoring = self.scoring(doc, here + ("scoring",), data.get("scoring"), citations, provisions, number)
        self.check_kind(doc, here, kind, data)
        if len(self.problems) > before:
            return None
        line, column = doc.locate(here)
        return Rule(
            id=rule_id, kind=kind, title_zh=data["title"]["zh"], title_en=data["title"]["en"],
            cites=tuple(citations), outcome=data["outcome"], pack=pack_id, when=when, require=require,
            deadline=deadline, effect=data.get("effect"), exception_to=data.get("exception_to"),
            in_principle=data.get("in_principle", False), note=data.get("note"), scoring=scoring,
            at=(doc.file, line, column), burden=data.get("burden"), lifts=data.get("lifts", "always"),
        )

    def citations(self, doc: YamlDocument, where: tuple[str | int, ...], labels: Sequence[str],
                  provisions: dict[str, Provision], number: str) -> tuple[Citation, ...]:
        citations = []
        for i, label in enumerate(labels):
            provision = provisions.get(label)
            if provision is None:
                self.problems.append(doc.problem(
                    where + (i,), f"cites {label!r}, which is not in the provision registry",
                    hint=did_you_mean(label, list(provisions)), code="unknown-provision"))
                continue
            if not provision.evaluable:
                self.problems.append(doc.problem(
                    where + (i,), f"cites {label!r}, which the registry marks as not evaluable",
                    hint="remove evaluable: false from the registry entry, or cite another provision",
                    code="cites-not-evaluable"))
            citations.append(Citation(number, provision.path, provision.label, provision.full_text))
        return tuple(citations)

    def local_parameter(self, doc: YamlDocument, where: tuple[str | int, ...], name: str,
                        wanted: ParameterType) -> Parameter | None:
        param = self.params.get(name)
        if param is None:
            self.problems.append(doc.problem(where, f"unknown local parameter {name!r}",
                                             hint=did_you_mean(name, list(self.params))
                                             or "declare it in pack.yaml under local_parameters",
                                             code="unknown-parameter"))
            return None
        if param.type is not wanted:
            self.problems.append(doc.problem(where, f"local parameter {name} is a {param.type.value}, "
                                             f"but a {wanted.value} is needed here", code="type-mismatch"))
            return None
        return param

    def scoring(self, doc: YamlDocument, where: tuple[str | int, ...], data: Any,
                rule_cites: tuple[Citation, ...], provisions: dict[str, Provision], number: str) -> Scoring | None:
        """Check a scoring rule's dimensions, weights (local, summing to 100) and grade table."""
        if data is None:
            return None
        before = len(self.problems)
        dimensions = []
        for i, dim in enumerate(data["dimensions"]):
            at = where + ("dimensions", i)
            fact = self.vocab.get(dim["fact"])
            if fact is None:
                self.problems.append(doc.problem(at + ("fact",), f"unknown fact {dim['fact']!r}",
                                                 hint=did_you_mean(dim["fact"], list(self.vocab)), code="unknown-fact"))
            elif fact.type is not FactType.NUMBER:
                self.problems.append(doc.problem(at + ("fact",), f"a dimension score is a number; {fact.name} is "
                                                 f"a {fact.type.value}", code="type-mismatch"))
            weight = self.local_parameter(doc, at + ("weight",), dim["weight"], ParameterType.NUMBER)
            cites = (self.citations(doc, at + ("cites",), dim["cites"], provisions, number)
                     if "cites" in dim else rule_cites)
            if weight is not None and not (0 <= weight.value <= 100 and weight.value.as_tuple().exponent >= -10):
                self.problems.append(doc.problem(at + ("weight",), f"local parameter {weight.id} is {weight.value}; "
                                                 "a weight is a percentage from 0 to 100 (at most 10 decimals)",
                                                 code="scoring"))
                weight = None
            if fact is not None and weight is not None:
                dimensions.append(Dimension(fact.name, weight.value, weight.id, cites))
        if len(self.problems) == before:
            # Exactly, not to Decimal's 28 digits: 99.99…(30 nines) is not 100 (issue 14). Every weight
            # is 0–100 with at most 10 decimals, so 60 digits hold any sum of them exactly.
            with localcontext() as exact:
                exact.prec = 60
                total = sum((d.weight for d in dimensions), Decimal(0))
            if total != 100:
                self.problems.append(doc.problem(where + ("dimensions",), f"the weights add up to {total}, not 100",
                                                 hint="weights are percentages of the total score",
                                                 code="scoring"))
            if len({d.fact for d in dimensions}) != len(dimensions):
                self.problems.append(doc.problem(where + ("dimensions",), "a dimension is listed twice",
                                                 code="scoring"))
        total_fact = self.vocab.get(data["total"])
        if total_fact is None or total_fact.type is not FactType.NUMBER:
            self.problems.append(doc.problem(where + ("total",), f"total must name a number fact, not {data['total']!r}",
                                             hint=did_you_mean(data["total"], list(self.vocab)), code="scoring"))
        grade_fact = self.vocab.get(data["grade"])
        if grade_fact is None or grade_fact.type is not FactType.ENUM:
            self.problems.append(doc.problem(where + ("grade",), f"grade must name an enum fact, not {data['grade']!r}",
                                             hint=did_you_mean(data["grade"], list(self.vocab)), code="scoring"))
        bands = self.local_parameter(doc, where + ("bands",), data["bands"], ParameterType.BANDS)
        if bands is not None and grade_fact is not None and grade_fact.type is FactType.ENUM:
            for band in bands.value:
                if band.grade not in grade_fact.values:
                    self.problems.append(doc.problem(
                        where + ("bands",), f"grade {band.grade!r} of {bands.id} is not a value of {grade_fact.name}",
                        hint="one of: " + ", ".join(grade_fact.values), code="scoring"))
        if len(self.problems) > before or bands is None:
            return None
        return Scoring(tuple(dimensions), data["total"], data["grade"], bands.value, bands.id)

    def deadline(self, doc: YamlDocument, here: tuple[str | int, ...], data: Any) -> Deadline | None:
        if data is None:
            return None
        where = here + ("deadline",)
        raw_done = data.get("done", [])
        done = [raw_done] if isinstance(raw_done, str) else list(raw_done)
        names: list[tuple[tuple[str | int, ...], str]] = [(where + ("from",), data["from"])]
        names += [(where + (("done",) if isinstance(raw_done, str) else ("done", i)), name)
                  for i, name in enumerate(done)]
        ok = True
        for key_path, name in names:
            if name not in self.vocab:
                self.problems.append(doc.problem(key_path, f"unknown fact {name!r}",
                                                 hint=did_you_mean(name, list(self.vocab)), code="unknown-fact"))
                ok = False
            elif self.vocab[name].type is not FactType.DATE:
                self.problems.append(doc.problem(key_path, f"{name} is of type {self.vocab[name].type.value}, "
                                                 "but a deadline counts from and to dates", code="type-mismatch"))
                ok = False
        period = parse_period(data["within"], where + ("within",), doc, self.vocab, self.problems)
        if not ok or period is None:
            return None
        return Deadline(start=data["from"], within=period, done=tuple(done))

    def check_kind(self, doc: YamlDocument, here: tuple[str | int, ...], kind: RuleKind, data: dict[str, Any]) -> None:
        def bad(key: str, message: str) -> None:
            self.problems.append(doc.problem(here + (key,) if key in data else here, message, code="kind"))

        if kind is RuleKind.SCOPE and "effect" not in data:
            bad("effect", "a scope rule says whether it includes or excludes: effect: include | exclude")
        if kind is not RuleKind.SCOPE and "effect" in data:
            bad("effect", "only scope rules have an effect")
        if kind is RuleKind.DEADLINE and "deadline" not in data:
            bad("deadline", "a deadline rule needs deadline: {from, within, done}")
        if kind is not RuleKind.DEADLINE and "deadline" in data:
            bad("deadline", f"only deadline rules have a deadline (this one is {kind.value!r})")
        if kind in (RuleKind.SCOPE, RuleKind.EXCLUSION, RuleKind.CLASSIFICATION, RuleKind.SCORING) \
                and "require" in data:
            bad("require", f"a {kind.value} rule states when it applies, not a requirement; use when")
        if kind is RuleKind.SCORING and "scoring" not in data:
            bad("scoring", "a scoring rule needs scoring: {dimensions, total, grade, bands}")
        if kind is not RuleKind.SCORING and "scoring" in data:
            bad("scoring", f"only scoring rules have scoring (this one is {kind.value!r})")
        for key in ("burden", "lifts"):
            if key in data and "exception_to" not in data:
                bad(key, f"only an exception (a rule with exception_to) has {key}")
        if data.get("lifts") == "when_met" and "require" not in data:
            bad("lifts", "lifts: when_met lifts the base rule where this rule's requirement is met; "
                         "it needs a require")


def load_pack(directory: Path | str, vocab: Vocabulary | None = None) -> Pack:
    """Load one pack directory; raise ``PackError`` listing every problem found in it."""
    loader = _PackLoader(Path(directory), vocab or default_vocabulary())
    pack = loader.load()
    if loader.problems or pack is None:
        raise PackError(loader.problems or [PackProblem(file=str(directory), message="the pack could not be loaded",
                                                         hint="see docs/pack-format.md")])
    return pack


def find_pack_dirs(root: Path | str) -> list[Path]:
    """The pack directories under ``root`` (or ``root`` itself if it is one), sorted."""
    root = Path(root)
    if (root / PACK_FILE).is_file():
        return [root]
    return sorted(p.parent for p in root.glob(f"*/{PACK_FILE}"))


def load_packs(roots: Iterable[Path | str], vocab: Vocabulary | None = None, *,
               loader: Callable[[Path, Vocabulary], Pack] | None = None) -> tuple[Pack, ...]:
    """Load every pack under ``roots``; problems of all packs are reported together.

    ``loader`` loads one directory (default ``load_pack``; ``cache.load_pack_cached`` reuses packs
    loaded before from the very same bytes)."""
    loader = loader or load_pack
    vocab = vocab or default_vocabulary()
    packs: list[Pack] = []
    problems: list[PackProblem] = []
    seen: dict[str, Path] = {}
    for root in roots:
        dirs = find_pack_dirs(root)
        if not dirs:
            problems.append(PackProblem(file=str(root), message=f"no rule pack found (no */{PACK_FILE})",
                                        code="no-packs"))
        for directory in dirs:
            try:
                pack = loader(directory, vocab)
            except PackError as exc:
                problems.extend(exc.problems)
                continue
            if pack.id in seen:
                problems.append(PackProblem(file=_display(directory / PACK_FILE), line=None,
                                            message=f"pack id {pack.id!r} is also used by {seen[pack.id]}",
                                            code="duplicate-pack"))
                continue
            seen[pack.id] = directory
            packs.append(pack)
    problems.extend(_hierarchy_problems(packs))
    if problems:
        raise PackError(problems)
    return tuple(packs)


def _hierarchy_problems(packs: Sequence[Pack]) -> list[PackProblem]:
    """A jurisdiction that is its own parent, that two packs give different parents, or whose
    parents lead back to it (issue 14: ``-j huzhou`` then applied the wuxing pack)."""
    problems: list[PackProblem] = []
    parent_of: dict[str, str | None] = {}
    first: dict[str, Pack] = {}

    def where(pack: Pack) -> str:
        return _display(pack.directory / PACK_FILE) if pack.directory is not None else pack.id

    for pack in packs:
        j = pack.jurisdiction
        if j.parent == j.id:
            problems.append(PackProblem(file=where(pack), path=("jurisdiction", "parent"), code="parent-cycle",
                                        message=f"jurisdiction {j.id!r} names itself as its parent",
                                        hint="name the jurisdiction above this one, or leave parent out"))
            continue
        if j.id in parent_of and parent_of[j.id] != j.parent:
            problems.append(PackProblem(
                file=where(pack), path=("jurisdiction", "parent"), code="parent-conflict",
                message=f"jurisdiction {j.id!r} has parent {j.parent!r} here but {parent_of[j.id]!r} in "
                        f"{where(first[j.id])}", hint="every pack of one jurisdiction names the same parent"))
            continue
        parent_of.setdefault(j.id, j.parent)
        first.setdefault(j.id, pack)
    settled: set[str] = set()
    for start in parent_of:
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in settled and node not in walk:
            walk.append(node)
            node = parent_of.get(node)
        if node is not None and node in walk:
            cycle = walk[walk.index(node):]
            pack = first[cycle[0]]
            problems.append(PackProblem(
                file=where(pack), path=("jurisdiction", "parent"), code="parent-cycle",
                message="jurisdiction parents form a cycle: " + " → ".join(cycle + [cycle[0]]),
                hint="a jurisdiction cannot be, directly or through others, its own parent"))
        settled.update(walk)
    return problems

