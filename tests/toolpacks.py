"""A small outline-numbered pack (一、（一）1.) for the coverage, pages and diff tests.

Its provisions cover every coverage status: tested, encoded without a passing case, not encoded,
not evaluable; its texts carry markup that pages must escape.
"""

from __future__ import annotations

from pathlib import Path

from packwriter import write_pack

PROVISIONS = """\
provisions:
  - label: 一
    path: [一]
    text: 总体要求：加强统筹。
    evaluable: false
    reason: 宣示性 <b>原则</b>，不对单个项目设定要求。
  - label: 二
    path: [二]
  - label: 二（一）
    path: [二, （一）]
    text: 总投资500万元以上的项目，应当编制可行性研究报告。
  - label: 二（二）
    path: [二, （二）]
  - label: 二（二）1
    path: [二, （二）, "1"]
    text: 建设项目应当在管理系统中报备<script>alert(1)</script>。
  - label: 二（二）2
    path: [二, （二）, "2"]
    text: 尚未编码的要求。
  - label: 三
    path: [三]
    text: 本办法自2024年2月1日起施行。
"""

RULES = """\
rules:
  - id: demo.approval.feasibility
    kind: approval
    title: {zh: 总投资500万元以上编制可行性研究报告, en: A feasibility study at 5 million yuan or more}
    cites: [二（一）]
    when: {fact: total_investment, op: 以上, value: 500万元}
    outcome: feasibility_study
  - id: demo.obligation.filing
    kind: obligation
    title: {zh: "建设项目报备 <em>系统</em>", en: Construction projects are filed}
    cites: ["二（二）1", 二（一）]
    when: {fact: project_type, is: construction}
    require: {fact: registered_in_management_system, is: true}
    outcome: filed
"""

CASES = {
    "test_feasibility.yaml": """\
        provision: 二（一）
        as_of: "2024-06-01"
        cases:
          - name: 4999999.99元不需可研
            project: {total_investment: "4999999.99"}
            expect:
              - {rule: demo.approval.feasibility, status: not_applicable}
          - name: 恰为500万元需可研
            project: {total_investment: 500万元}
            expect:
              - {rule: demo.approval.feasibility, status: applies}
        """,
    "test_filing.yaml": """\
        provision: 二（二）1
        as_of: "2024-06-01"
        cases:
          - name: 故意写错的期望（未报备应为 violated）
            project: {project_type: construction, registered_in_management_system: false}
            expect:
              - {rule: demo.obligation.filing, status: satisfied}
        """,
}


def write_demo(root: Path, pack_id: str = "demo") -> Path:
    """Write the outline pack under ``root`` and return its directory."""
    provisions = PROVISIONS
    rules = RULES.replace("demo.", f"{pack_id}.")
    cases = {k: v.replace("demo.", f"{pack_id}.") for k, v in CASES.items()}
    return write_pack(root, pack_id, provisions=provisions, rules=rules, cases=cases)
