"""Writing small rule packs for tests: one helper instead of a pack writer per test module."""

from __future__ import annotations

import textwrap
from pathlib import Path


def pack_yaml(pack_id: str, *, jurisdiction: str | None = None, parent: str | None = None,
              number: str | None = None, in_force_from: str = "2024-02-01",
              in_force_until: str | None = None) -> str:
    """The text of a ``pack.yaml`` in the shape of policies/wuxing/pack.yaml."""
    jurisdiction = jurisdiction or pack_id
    text = textwrap.dedent(f"""\
        id: {pack_id}
        version: "1.0"
        jurisdiction:
          id: {jurisdiction}
          name: 演示辖区{jurisdiction}
        """)
    if parent:
        text += f"  parent: {parent}\n"
    text += textwrap.dedent(f"""\
        document:
          number: {number or f"演示发〔2024〕{pack_id}号"}
          title: 演示办法{pack_id}
          issuer: 演示区人民政府办公室
          issued: "2024-01-01"
          in_force_from: "{in_force_from}"
          numbering: article
        """)
    if in_force_until:
        text += f'  in_force_until: "{in_force_until}"\n'
    return text


def write_pack(root: Path, pack_id: str, *, provisions: str, rules: str,
               cases: dict[str, str] | None = None, **meta: str | None) -> Path:
    """Write ``root/pack_id`` (pack.yaml, provisions.yaml, rules/rules.yaml, tests/<cases>) and return it.

    ``meta`` goes to ``pack_yaml`` (jurisdiction, parent, number, in_force_from, in_force_until).
    """
    directory = root / pack_id
    (directory / "rules").mkdir(parents=True)
    (directory / "pack.yaml").write_text(pack_yaml(pack_id, **meta), encoding="utf-8")  # type: ignore[arg-type]
    (directory / "provisions.yaml").write_text(textwrap.dedent(provisions), encoding="utf-8")
    (directory / "rules" / "rules.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
    if cases:
        (directory / "tests").mkdir()
        for name, text in cases.items():
            (directory / "tests" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory
