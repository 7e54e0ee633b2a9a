"""The HTTP application: endpoints under ``/v1``, problem documents, limits, reloading, the page.

One ``PackSet`` (an ``Engine`` and what is derived from it) answers each request from start to end;
a reload builds a new one beside it and swaps the reference, so requests in flight finish on the
packs they began with, and a pack set that does not load is refused while the old one stays.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..audit import DecisionLog
from ..calendar import today_in_china
from ..comparing import compare
from ..errors import GovrulesError, PackError, ProjectError, ProjectProblem, did_you_mean
from ..evaluation import Engine, UnknownJurisdiction, load
from ..model import Pack
from ..projects import _decode, project_json_schema
from ..report import json_text
from . import openapi as _openapi
from .settings import Limits, Settings

__all__ = ["Limits", "PackSet", "Settings", "create_app"]

T = TypeVar("T")

PROBLEM_JSON = "application/problem+json"
PACKS_HEADER = "X-Govrules-Packs"
#: RFC 9457 ``type`` of each problem this service answers with (a stable code after the last slash).
PROBLEM_BASE = "https://govrules.invalid/problems/"


class Problem(Exception):
    """An answer other than success, as an RFC 9457 problem document with govrules' problems."""

    def __init__(self, status: int, code: str, title: str, title_zh: str, detail: str | None = None,
                 problems: Sequence[Mapping[str, Any]] = (), extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(title)
        self.status, self.code, self.title, self.title_zh = status, code, title, title_zh
        self.detail, self.problems, self.extra = detail, list(problems), dict(extra or {})

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": PROBLEM_BASE + self.code, "title": self.title, "title_zh": self.title_zh,
                                "status": self.status}
        if self.detail:
            data["detail"] = self.detail
        data["problems"] = self.problems
        data.update(self.extra)
        return data


def _request_problem(field_name: str, code: str, message: str, message_zh: str, value: Any = None,
                     hint: str | None = None) -> dict[str, Any]:
    """A problem of the request's envelope, in the shape of ``ProjectProblem.to_dict``."""
    return ProjectProblem(field=field_name, code=code, message=message, message_zh=message_zh, value=value,
                          hint=hint).to_dict()


def _bad_request(problems: list[dict[str, Any]]) -> Problem:
    return Problem(422, "bad-request", "The request is not one this endpoint accepts", "请求的内容不符合该接口的要求",
                   problems=problems)


def project_problem(exc: ProjectError) -> Problem:
    return Problem(422, "bad-project", "The project is invalid", "项目数据有误",
                   f"{len(exc.problems)} bad field(s); each problem names its field",
                   problems=[p.to_dict() for p in exc.problems])


def jurisdiction_problem(exc: UnknownJurisdiction) -> Problem:
    return Problem(404, "unknown-jurisdiction", "No pack for this jurisdiction", "没有该辖区的规则包", str(exc))


class PackSet:
    """One generation of loaded packs: the engine, the packs' names, and their pages (made when first asked)."""

    def __init__(self, engine: Engine, generation: int) -> None:
        self.engine = engine
        self.generation = generation
        self.loaded_at = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        self.refs = [pack_ref(p) for p in engine.packs]
        self.header = header_value(engine.packs)
        self.by_id: dict[str, Pack] = {}
        for pack in engine.packs:
            self.by_id.setdefault(pack.id, pack)
        self._pages: dict[str, str] | None = None
        self._lock = threading.Lock()

    def page(self, pack_id: str) -> str | None:
        """The literate HTML page of a pack (``govrules docs``), or ``index`` or ``coverage``; rendered once
        per generation (the pages run every case, so only when first asked)."""
        with self._lock:
            if self._pages is None:
                from ..coverage import measure_engine
                from ..pages import render_coverage, render_index, render_pack

                report = measure_engine(self.engine)
                self._pages = {c.pack.id: render_pack(c, self.engine.vocabulary) for c in report.packs}
                self._pages["index"] = render_index(report)
                self._pages["coverage"] = render_coverage(report)
        return self._pages.get(pack_id)


def pack_ref(pack: Pack) -> dict[str, str]:
    return {"id": pack.id, "version": pack.version, "content_hash": pack.content_hash}


def header_value(packs: Sequence[Any]) -> str:
    """``id version hash`` of each pack, comma-separated (ASCII: pack ids and versions are)."""
    return ", ".join(f"{p.id} {p.version} {p.content_hash}" for p in packs)


class Service:
    """The state behind the app: settings, the current pack set, the audit log, the worker threads."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.limits = settings.limits
        self.current = PackSet(engine if engine is not None else self._load(), 1)
        self.log: DecisionLog | None = None
        if settings.log is not None:
            self.log = DecisionLog(settings.log, mask=settings.mask,
                                   salt=os.environ.get("GOVRULES_MASK_SALT") or None)
            self.log.check_writable()
            self.log._check_mask(self.current.engine)  # a --mask naming no field is refused at start, as in the CLI
        self.executor = ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2)),
                                           thread_name_prefix="govrules-eval")
        self._reload_lock = asyncio.Lock()

    def _load(self) -> Engine:
        s = self.settings
        engine = load(s.policies, holidays=s.holidays, replace_holidays=s.replace_holidays)
        if not engine.packs:
            from ..errors import PackProblem

            where = str(s.policies) if s.policies is not None else "(bundled packs)"
            raise PackError([PackProblem(file=where, code="no-packs", message="no rule pack found here",
                                         message_zh="此处没有规则包")])
        return engine

    async def reload(self) -> tuple[PackSet, PackSet]:
        """Load the packs again; swap them in only if they load. Returns (old, new); raises ``PackError``."""
        async with self._reload_lock:
            loop = asyncio.get_running_loop()
            engine = await loop.run_in_executor(None, self._load)
            old = self.current
            self.current = PackSet(engine, old.generation + 1)
            return old, self.current

    async def run(self, work: Callable[[threading.Event], T]) -> T:
        """``work(cancelled)`` on a worker thread within the time limit; past it, a 503 problem (and
        ``cancelled`` is set, so a batch stops at its next project)."""
        cancelled = threading.Event()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, work, cancelled)
        try:
            return await asyncio.wait_for(future, self.limits.timeout_seconds)
        except TimeoutError:
            cancelled.set()
            raise Problem(503, "time-limit", "The request took longer than the time limit", "请求超过了处理时限",
                          f"limit {self.limits.timeout_seconds:g} s (govrules serve --timeout)") from None

    def evaluate(self, engine: Engine, project: Any, jurisdiction: str, as_of: _dt.date,
                 readings: Mapping[str, str | None] | None) -> Any:
        if self.log is not None:
            return self.log.evaluate(engine, project, jurisdiction, as_of, readings=readings)
        return engine.evaluate(project, jurisdiction, as_of, readings=readings)


# ---------------------------------------------------------------------------------------------
# Reading requests


async def read_json(request: Request, limits: Limits) -> Any:
    """The request's JSON body, read as the CLI reads a .json project (exact decimals, no duplicate keys)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise _too_large(limits)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise _too_large(limits)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise Problem(400, "empty-body", "The request has no body; send a JSON object", "请求体为空，请发送 JSON 对象")
    try:
        return _decode(raw, ".json", "request")
    except ProjectError as exc:  # syntax, encoding, duplicate keys, nesting
        raise Problem(400, "bad-json", "The body is not valid JSON", "请求体不是有效的 JSON",
                      problems=[p.to_dict() for p in exc.problems]) from None


def _too_large(limits: Limits) -> Problem:
    return Problem(413, "body-too-large", "The request body is larger than the limit", "请求体超过了大小上限",
                   f"limit {limits.max_body_bytes} bytes (govrules serve --max-body-bytes)")


_ENVELOPES = {
    "evaluate": ("project", "jurisdiction", "as_of", "readings"),
    "compare": ("project", "jurisdictions", "as_of", "readings"),
    "batch": ("projects", "jurisdiction", "as_of", "readings"),
}


def envelope(data: Any, kind: str) -> dict[str, Any]:
    """The request object's members, checked: known keys, the right types; ``as_of`` as a date."""
    allowed = _ENVELOPES[kind]
    if not isinstance(data, dict):
        raise _bad_request([_request_problem("(request)", "type", "the body must be a JSON object",
                                             "请求体必须是 JSON 对象", data)])
    problems = []
    for key in data:
        if key not in allowed:
            problems.append(_request_problem(key, "unknown-member", "is not a member of this request",
                                             "不是该请求的成员", hint=did_you_mean(key, allowed)
                                             or "members: " + ", ".join(allowed)))
    required = "projects" if kind == "batch" else "project"
    if required not in data:
        problems.append(_request_problem(required, "missing", "is required", "必须提供"))
    elif kind == "batch" and not isinstance(data[required], list):
        problems.append(_request_problem(required, "type", "must be a list of projects", "必须是项目的列表"))
    if kind != "compare":
        if "jurisdiction" not in data:
            problems.append(_request_problem("jurisdiction", "missing", "is required, e.g. \"wuxing\"",
                                             "必须提供，例如 \"wuxing\""))
        elif not isinstance(data["jurisdiction"], str):
            problems.append(_request_problem("jurisdiction", "type", "must be text", "必须是文本", data["jurisdiction"]))
    elif "jurisdictions" in data and not (isinstance(data["jurisdictions"], list)
                                          and all(isinstance(j, str) for j in data["jurisdictions"])):
        problems.append(_request_problem("jurisdictions", "type", "must be a list of jurisdiction ids",
                                         "必须是辖区代码的列表", data["jurisdictions"]))
    as_of = data.get("as_of")
    parsed: _dt.date | None = None
    if as_of is not None:
        try:
            if not isinstance(as_of, str) or len(as_of) != 10:
                raise ValueError
            parsed = _dt.date.fromisoformat(as_of)
        except ValueError:
            problems.append(_request_problem("as_of", "date", "must be a date written YYYY-MM-DD",
                                             "必须是 YYYY-MM-DD 格式的日期", as_of))
    readings = data.get("readings")
    if readings is not None and not (isinstance(readings, dict)
                                     and all(v is None or isinstance(v, str) for v in readings.values())):
        problems.append(_request_problem("readings", "type", "must map reading ids to an answer or null",
                                         "必须是解读编号到答案（或 null）的映射", readings))
    if problems:
        raise _bad_request(problems)
    return {**data, "as_of": parsed or today_in_china(), "readings": readings or None}


# ---------------------------------------------------------------------------------------------
# Responses


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json_text(data), status_code=status, media_type="application/json", headers=headers)


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json_text(problem.body()), status_code=problem.status, media_type=PROBLEM_JSON,
                    headers=headers)


def _fact(f: Any) -> dict[str, Any]:
    return {"name": f.name, "type": f.type.value, "zh": f.zh, "en": f.en, "unit": f.unit,
            "description": f.description, "act": f.act,
            "values": [{"value": k, "zh": v, "en": f.values_en.get(k, k)} for k, v in f.values.items()],
            "minimum": None if f.minimum is None else str(f.minimum),
            "maximum": None if f.maximum is None else str(f.maximum)}


def _pack_summary(pack: Pack) -> dict[str, Any]:
    d = pack.document
    return {**pack_ref(pack), "jurisdiction": pack.jurisdiction.id, "document": d.number, "title": d.title,
            "in_force_from": d.in_force_from.isoformat(),
            "in_force_until": d.in_force_until.isoformat() if d.in_force_until else None,
            "page": f"/packs/{pack.id}.html"}


def _pack_detail(pack: Pack) -> dict[str, Any]:
    from ..pages import anchor_ids, rule_anchor

    d = pack.document
    anchors = anchor_ids(pack)
    return {
        **pack_ref(pack),
        "jurisdiction": {"id": pack.jurisdiction.id, "name": pack.jurisdiction.name,
                         "parent": pack.jurisdiction.parent},
        "document": {"number": d.number, "title": d.title, "issuer": d.issuer, "issued": d.issued.isoformat(),
                     "in_force_from": d.in_force_from.isoformat(),
                     "in_force_until": d.in_force_until.isoformat() if d.in_force_until else None,
                     "repeals": list(d.repeals)},
        "description": pack.description,
        "provisions": list(pack.provisions),
        "rules": [{"id": r.id, "kind": r.kind.value, "title": {"zh": r.title_zh, "en": r.title_en},
                   "cites": [c.label for c in r.cites], "anchor": rule_anchor(r.id)} for r in pack.rules],
        "anchors": anchors,
        "parameters": [{**p.to_dict(), "display": p.display()} for p in pack.parameters.values()],
        "readings": [s.to_dict() for s in pack.readings.values()],
        "page": f"/packs/{pack.id}.html",
    }


def _provision(pack: Pack, label: str) -> dict[str, Any]:
    provision = pack.provisions.get(label)
    if provision is None:
        hint = did_you_mean(label, list(pack.provisions))
        raise Problem(404, "unknown-provision", "No such provision in this pack", "该规则包中没有这一条款",
                      f"no provision {label!r} in pack {pack.id}" + (f"; {hint}" if hint else ""))
    path = provision.path
    citing = []
    for rule in pack.rules:
        for cite in rule.cites:
            if cite.document == pack.document.number and cite.path[:len(path)] == path:
                citing.append({"id": rule.id, "kind": rule.kind.value,
                               "title": {"zh": rule.title_zh, "en": rule.title_en},
                               "cites": cite.label, "exact": cite.path == path})
                break
    return {"pack": pack_ref(pack), "document": pack.document.number, "label": provision.label,
            "path": list(path), "text": provision.text, "full_text": provision.full_text,
            "evaluable": provision.evaluable, "reason": provision.reason, "children": list(provision.children),
            "rules": citing, "page": f"/packs/{pack.id}.html"}


# ---------------------------------------------------------------------------------------------
# The application


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The FastAPI application for ``settings``; raises ``PackError`` if the packs do not load."""
    settings = settings or Settings()
    service = Service(settings, engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        reloads: set[asyncio.Task[None]] = set()  # held until done (the loop keeps only weak references)

        def on_sighup() -> None:
            task = loop.create_task(_reload_on_signal())
            reloads.add(task)
            task.add_done_callback(reloads.discard)

        try:
            loop.add_signal_handler(signal.SIGHUP, on_sighup)
        except (NotImplementedError, RuntimeError, ValueError, AttributeError):  # not the main thread, or Windows
            pass
        yield
        service.executor.shutdown(wait=False, cancel_futures=True)

    async def _reload_on_signal() -> None:
        try:
            old, new = await service.reload()
        except PackError as exc:
            print(f"govrules serve: SIGHUP: the packs do not load; keeping generation {service.current.generation}"
                  f"\n{exc}", file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001 - a reload must never take the service down
            print(f"govrules serve: SIGHUP: reload failed ({type(exc).__name__}); keeping the packs loaded",
                  file=sys.stderr, flush=True)
        else:
            print(f"govrules serve: SIGHUP: reloaded, generation {new.generation}: {new.header}",
                  file=sys.stderr, flush=True)

    app = FastAPI(title="govrules", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None,
                  description="Evaluate government IT projects against rule packs that cite their provisions.")
    app.state.service = service

    app.add_middleware(_NamePacks, service=service)

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: ("Not found", "没有这个地址"), 405: ("Method not allowed", "不支持该请求方法")}
        title, title_zh = titles.get(exc.status_code, (str(exc.detail), "请求有误"))
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        response = problem_response(Problem(exc.status_code, code, title, title_zh, f"{request.method} {request.url.path}"))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        problems = [_request_problem(".".join(str(p) for p in e.get("loc", ())[1:]) or "(request)",
                                     str(e.get("type", "invalid")), str(e.get("msg", "invalid")), "请求参数有误")
                    for e in exc.errors()]
        return problem_response(_bad_request(problems))

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> Response:
        return _internal(exc)

    def packs_of(report: Any) -> dict[str, str]:
        return {PACKS_HEADER: header_value(report.packs)}

    # -- evaluating ---------------------------------------------------------------------------

    @app.post("/v1/evaluate", response_class=Response, tags=["evaluate"], summary="Evaluate one project",
              openapi_extra=_openapi.operation("EvaluateRequest", "Report"))
    async def evaluate(request: Request) -> Response:
        """The report of one project under one jurisdiction: exactly ``Report.to_json()`` of the library."""
        req = envelope(await read_json(request, service.limits), "evaluate")
        packs = service.current

        def work(cancelled: threading.Event) -> Any:
            return service.evaluate(packs.engine, req["project"], req["jurisdiction"], req["as_of"], req["readings"])

        report = await service.run(_guarded(work))
        return Response(report.to_json(), media_type="application/json", headers=packs_of(report))

    @app.post("/v1/compare", response_class=Response, tags=["evaluate"],
              summary="One project under several jurisdictions, side by side",
              openapi_extra=_openapi.operation("CompareRequest", "Comparison"))
    async def compare_(request: Request) -> Response:
        """``Comparison.to_json()`` of the library (``govrules compare --format json``)."""
        req = envelope(await read_json(request, service.limits), "compare")
        packs = service.current

        def work(cancelled: threading.Event) -> Any:
            return compare(packs.engine, req["project"], req["as_of"], req.get("jurisdictions") or None,
                           readings=req["readings"])

        comparison = await service.run(_guarded(work))
        used = [r.packs for r in comparison.reports.values()]
        seen: dict[str, Any] = {}
        for refs in used:
            for ref in refs:
                seen.setdefault(ref.content_hash, ref)
        return Response(comparison.to_json(), media_type="application/json",
                        headers={PACKS_HEADER: header_value(list(seen.values()))})

    @app.post("/v1/batch", response_class=Response, tags=["evaluate"], summary="Evaluate many projects",
              openapi_extra=_openapi.operation("BatchRequest", "BatchResponse"))
    async def batch(request: Request) -> Response:
        """Each project's report (``Report.to_json()``) or its problem, in order; at most ``max_batch`` projects."""
        req = envelope(await read_json(request, service.limits), "batch")
        projects = req["projects"]
        if len(projects) > service.limits.max_batch:
            raise Problem(413, "batch-too-large", "Too many projects in one batch", "一次提交的项目过多",
                          f"{len(projects)} projects; the limit is {service.limits.max_batch} "
                          "(govrules serve --max-batch)")
        packs = service.current
        engine = packs.engine
        try:
            chain = engine.chain(req["jurisdiction"])
            engine.check_readings(req["readings"])  # once for the batch, not once per project
        except UnknownJurisdiction as exc:
            raise jurisdiction_problem(exc) from None
        except ProjectError as exc:
            raise project_problem(exc) from None

        def work(cancelled: threading.Event) -> list[str]:
            items = []
            for index, project in enumerate(projects):
                if cancelled.is_set():
                    break
                try:
                    report = service.evaluate(engine, project, req["jurisdiction"], req["as_of"], req["readings"])
                except ProjectError as exc:
                    items.append(f'{{"index": {index}, "problem": {json_text(project_problem(exc).body())}}}')
                else:
                    items.append(f'{{"index": {index}, "report": {report.to_json()}}}')
            return items

        items = await service.run(_guarded(work))
        used = [p for p in engine.packs if p.jurisdiction.id in chain]
        head = json_text({"jurisdiction": req["jurisdiction"], "as_of": req["as_of"].isoformat(),
                          "packs": [pack_ref(p) for p in used], "count": len(items)}, indent=None)
        text = head[:-1] + ', "results": [' + ",\n".join(items) + "]}"
        return Response(text, media_type="application/json", headers={PACKS_HEADER: header_value(used)})

    # -- looking up ---------------------------------------------------------------------------

    @app.get("/v1/jurisdictions", tags=["look up"], summary="Jurisdictions with a pack",
             response_class=Response, openapi_extra=_openapi.response("Jurisdictions"))
    async def jurisdictions() -> Response:
        packs = service.current
        engine = packs.engine
        items = []
        for jid, name in engine.jurisdictions().items():
            chain = engine.chain(jid)
            items.append({"id": jid, "name": name, "parent": chain[1] if len(chain) > 1 else None, "chain": list(chain),
                          "packs": [_pack_summary(p) for p in engine.packs if p.jurisdiction.id == jid]})
        return json_response({"jurisdictions": items, "packs": packs.refs, "generation": packs.generation})

    @app.get("/v1/packs", tags=["look up"], summary="Every loaded pack", response_class=Response,
             openapi_extra=_openapi.response("PackList"))
    async def pack_list() -> Response:
        packs = service.current
        return json_response({"packs": [_pack_summary(p) for p in packs.engine.packs], "generation": packs.generation})

    def find_pack(packs: PackSet, pack_id: str) -> Pack:
        pack = packs.by_id.get(pack_id)
        if pack is None:
            hint = did_you_mean(pack_id, list(packs.by_id))
            raise Problem(404, "unknown-pack", "No such pack", "没有这个规则包",
                          f"no pack {pack_id!r}" + (f"; {hint}" if hint else f" (loaded: {', '.join(packs.by_id)})"))
        return pack

    @app.get("/v1/packs/{pack_id}", tags=["look up"], summary="A pack: metadata, version, content hash, rules",
             response_class=Response, openapi_extra=_openapi.response("PackDetail", not_found=True))
    async def pack_detail(pack_id: str) -> Response:
        pack = find_pack(service.current, pack_id)
        return json_response(_pack_detail(pack), headers={PACKS_HEADER: header_value([pack])})

    @app.get("/v1/packs/{pack_id}/provisions/{label}", tags=["look up"],
             summary="A provision's verbatim text and the rules citing it", response_class=Response,
             openapi_extra=_openapi.response("ProvisionDetail", not_found=True))
    async def provision(pack_id: str, label: str) -> Response:
        pack = find_pack(service.current, pack_id)
        return json_response(_provision(pack, label), headers={PACKS_HEADER: header_value([pack])})

    @app.get("/v1/facts", tags=["look up"], summary="The fact vocabulary, with Chinese and English labels",
             response_class=Response, openapi_extra=_openapi.response("Facts"))
    async def facts() -> Response:
        vocab = service.current.engine.vocabulary
        return json_response({"facts": [_fact(f) for f in vocab.values()]})

    @app.get("/v1/schemas/project", tags=["look up"], summary="The JSON Schema of a project", response_class=Response,
             openapi_extra=_openapi.response("JsonSchema"))
    async def project_schema() -> Response:
        return json_response(project_json_schema(service.current.engine.vocabulary))

    # -- operating ----------------------------------------------------------------------------

    @app.get("/healthz", tags=["operate"], summary="Liveness, and which packs are loaded", response_class=Response,
             openapi_extra=_openapi.response("Health"))
    async def healthz() -> Response:
        packs = service.current
        return json_response({"status": "ok", "version": __version__, "generation": packs.generation,
                              "loaded_at": packs.loaded_at, "packs": packs.refs})

    @app.post("/v1/admin/reload", tags=["operate"], summary="Load the packs again (refused if they do not load)",
              response_class=Response, openapi_extra=_openapi.response("Reloaded", reload=True))
    async def reload(request: Request) -> Response:
        token = settings.admin_token
        if not token:
            raise Problem(404, "reload-off", "Reloading over HTTP is off", "未开启通过 HTTP 重新加载",
                          "set GOVRULES_ADMIN_TOKEN to enable it, or send the process SIGHUP")
        import hmac

        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Problem(403, "forbidden", "Wrong or missing admin token", "管理令牌错误或缺失",
                          "send Authorization: Bearer <GOVRULES_ADMIN_TOKEN>")
        try:
            old, new = await service.reload()
        except PackError as exc:
            raise Problem(422, "packs-do-not-load", "The packs do not load; the loaded packs stay in service",
                          "规则包无法加载，继续使用原有规则包",
                          f"{len(exc.problems)} problem(s) in rule pack files; each names its file and line",
                          problems=[p.to_dict() for p in exc.problems],
                          extra={"generation": service.current.generation, "packs": service.current.refs}) from None
        return json_response({"generation": new.generation, "packs": new.refs, "previous": old.refs},
                             headers={PACKS_HEADER: new.header})

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> Response:
        return json_response(_openapi.document(app, service.current.engine))

    # -- the page -----------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_static("index.html"))

    @app.get("/page.js", include_in_schema=False)
    async def page_js() -> Response:
        return Response(_static("page.js"), media_type="text/javascript; charset=utf-8")

    @app.get("/packs/{name}", include_in_schema=False)
    async def pack_page(name: str) -> HTMLResponse:
        packs = service.current
        if not name.endswith(".html"):
            raise StarletteHTTPException(404)
        stem = name.removesuffix(".html")
        site = stem in ("index", "coverage")
        used = list(packs.engine.packs) if site else [find_pack(packs, stem)]
        loop = asyncio.get_running_loop()
        text = await loop.run_in_executor(None, packs.page, stem)
        if text is None:
            raise StarletteHTTPException(404)
        return HTMLResponse(text, headers={PACKS_HEADER: header_value(used)})

    return app


class _NamePacks:
    """Every response names the packs it used (handlers that used fewer than all name them themselves)."""

    def __init__(self, app: Any, service: Service) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(k.lower() == b"x-govrules-packs" for k, _ in headers):
                    headers.append((b"x-govrules-packs", self.service.current.header.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def _guarded(work: Callable[[threading.Event], T]) -> Callable[[threading.Event], T]:
    """``work``, with the library's errors turned into problems (422 bad project, 404 unknown jurisdiction)."""

    def run(cancelled: threading.Event) -> T:
        try:
            return work(cancelled)
        except ProjectError as exc:
            raise project_problem(exc) from None
        except UnknownJurisdiction as exc:
            raise jurisdiction_problem(exc) from None
        except GovrulesError as exc:  # e.g. the audit log cannot be written
            raise Problem(500, "service-error", "The service could not complete the request", "服务无法完成该请求",
                          str(exc)) from None

    return run


def _internal(exc: BaseException) -> Response:
    """A bug: a 500 problem naming the exception type only (never a traceback), logged on stderr."""
    print(f"govrules serve: internal error: {type(exc).__name__}", file=sys.stderr, flush=True)
    return problem_response(Problem(500, "internal", "Internal error: a bug in govrules; please report it",
                                    "内部错误：这是 govrules 的缺陷，请报告", f"{type(exc).__name__} (govrules {__version__})"))


def _static(name: str) -> str:
    return (resources.files("govrules.service") / "static" / name).read_text("utf-8")
