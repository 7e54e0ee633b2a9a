"""``govrules serve``: the library over HTTP, for systems not written in Python, and a page for policy staff.

Every answer is the library's own: ``POST /v1/evaluate`` returns ``Report.to_json()`` unchanged,
``POST /v1/compare`` ``Comparison.to_json()``. Errors are RFC 9457 problem documents carrying the
same structured problems as ``ProjectError`` and ``PackError``. Needs the ``service`` extra
(FastAPI, uvicorn); docs/service.md describes the endpoints, limits and reloading.
``govrules.service.app.create_app`` builds the application.
"""
