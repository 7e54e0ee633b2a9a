"""``python -m govrules.schemas [--check]``: regenerate report.schema.json from the report model.

With ``--check`` nothing is written; the exit status is 1 when the published file is not what the
model generates (0 when it is).
"""

from __future__ import annotations

import sys

from govrules.report_schema import SCHEMA_PATH, schema_text, write_schema


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        current = SCHEMA_PATH.read_text("utf-8") if SCHEMA_PATH.is_file() else ""
        if current == schema_text():
            print(f"{SCHEMA_PATH.name} 与报告模型一致 / is up to date")
            return 0
        print(f"{SCHEMA_PATH.name} 与报告模型不一致，请运行 python -m govrules.schemas / "
              "differs from the report model; run: python -m govrules.schemas")
        return 1
    if argv:
        print("用法 / usage: python -m govrules.schemas [--check]", file=sys.stderr)
        return 2
    print(f"已写入 / written: {write_schema()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
