"""The ``--help`` of every command in Chinese and English: the Chinese is kept here, beside nothing else.

``bilingual(parser)`` walks the parser the CLI built (in English) and puts the Chinese of each
command, argument and section heading first, the English after it. An argument whose Chinese is
missing keeps its English only; tests/test_messages.py fails then, so a new option gets its Chinese.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

__all__ = ["COMMANDS_ZH", "HELP_ZH", "bilingual"]

#: What each command does, in Chinese.
COMMANDS_ZH: dict[str, str] = {
    "evaluate": "按辖区评估一个项目（JSON 或 YAML 文件）",
    "compare": "在各辖区下评估同一项目并对照",
    "readings": "列出各规则包对未定条文的所有解读",
    "replay": "重新评估审计日志中的每个决定并报告差异",
    "lint": "检查规则包，逐一报告每个载入问题及其位置",
    "facts": "列出项目可填写的事实",
    "test": "运行规则包旁逐条款的测试用例",
    "coverage": "哪些条款已编码、已测试、不可评估或未编码",
    "docs": "把每个规则包写成静态 HTML 页面（文件、规则、测试）及索引",
    "diff": "在一组项目上比较规则包两个版本之间变化的决定",
    "corpus": "生成可复现的 JSON Lines 项目集，探测规则包的边界",
    "batch": "评估台账中的每个项目（.csv、.jsonl、.parquet）",
    "compile": "把每个规则包的决定程序编译成 Python；--show 打印生成的代码以供审阅",
    "serve": "提供 HTTP 接口和项目试算页面（需要安装 govrules[service]）",
}

#: The Chinese help of each argument: by ``command.dest`` where commands differ, else by ``dest``.
HELP_ZH: dict[str, str] = {
    "help": "显示本帮助并退出",
    "version": "显示版本号并退出",
    "error_format": "如何输出规则包或项目的问题（默认 human：供人阅读；json：供程序读取）",
    "lang_all": "问题和错误信息的语言：both 中英对照（默认，中文在前）、zh 仅中文、en 仅英文",
    "lang": "问题和错误信息的语言：both 中英对照（默认，中文在前）、zh 仅中文、en 仅英文",
    "command": "子命令",
    "project": "项目文件（.json、.yaml）",
    "jurisdiction": "辖区，如 wuxing",
    "compare.jurisdiction": "只对照这些辖区（可重复；默认：所有有规则包的辖区）",
    "diff.jurisdiction": "在此辖区下评估（可重复；默认：新旧两边都有规则包的每个辖区）",
    "as_of": "评估日期 YYYY-MM-DD（默认：中国标准时间 UTC+8 的今天）",
    "format": "输出格式",
    "facts.format": "输出格式；schema：项目文件的 JSON Schema",
    "compare.lang": "输出的语言",
    "all": "同时列出不适用的规则",
    "policies": "规则包目录（默认：随附的规则包）",
    "holidays": "内置数据未覆盖年份的节假日安排文件（已覆盖的年份须加 --replace-holidays）",
    "replace_holidays": "允许 --holidays 文件替换该年度内置的官方节假日安排（不加此项则拒绝）",
    "reading": "以不同于规则包的方式回答已声明的解读（可重复；ID= 表示不取立场；govrules readings 可列出）",
    "diff.reading": "新版本一侧按此回答已声明的解读（可重复）：新旧给同一规则包，即可看出一种解释带来的变化",
    "log": "把此决定追加到审计日志（每行一个 JSON；见 docs/trust.md）",
    "serve.log": "把每次评估追加到审计日志，与 evaluate --log 相同",
    "serve.mask": "与 --log 同用：同 evaluate --mask",
    "compile.pack": "只编译此规则包（可重复）",
    "show": "打印生成的 Python 源代码以供审阅",
    "lint.against": "已发布的规则包（policies 目录或单个规则包目录）：内容变了而版本号没变的规则包给出警告",
    "host": "监听的地址（默认 127.0.0.1）",
    "port": "端口（默认 8000；0：任一空闲端口）",
    "max_body_bytes": "请求体的上限，单位字节",
    "max_batch": "每次 POST /v1/batch 的项目数上限",
    "timeout": "每个请求的时间上限，单位秒",
    "replay.log": "evaluate --log 写出的决定日志",
    "mask": "与 --log 同用：不写入 FIELD 的值（有 $GOVRULES_MASK_SALT 时写 HMAC，否则写 ***）",
    "path": "规则包目录（policies），或单个规则包",
    "fail_on": "分析结果达到此严重程度时以 1 退出（默认：error）",
    "output": "写入文件 FILE，而不是标准输出",
    "docs.output": "写入的目录",
    "batch.output": "决定的输出文件，每个项目一行（.csv、.jsonl、.parquet）；逐条款汇总写在旁边的 OUTPUT.summary.csv",
    "fail_under": "任一规则包的覆盖率低于 PCT%% 时以 1 退出",
    "old": "旧版本的规则包目录（或规则包总目录）",
    "new": "新版本的规则包目录（或规则包总目录）",
    "projects": "JSON Lines 文件，每行一个项目",
    "n": "项目数（默认：全部边界探测加 100 个随机项目）",
    "seed": "随机种子（默认 0）",
    "ledger": "台账：每行一个项目，每列一个事实（及 id）",
    "batch_size": "同时读入内存的行数",
    "no_progress": "不在标准错误输出上显示进度条",
    "columns": "另外按规则写出：截止日期（due）、缺少的事实（missing）、所依据的本地参数（parameters）或解读"
               "（readings）、项目未主张的例外（unclaimed）、不影响结果的缺失事实（not_needed）；可重复",
}

#: The English of arguments the CLI gives no help of its own.
_EN_DEFAULT = {"format": "output format", "lang": "the language of the output"}

_DESCRIPTION_ZH = "按规则包评估政府信息化项目；每个决定都引用所依据的条款。"


class BilingualFormatter(argparse.HelpFormatter):
    """argparse's formatter with its headings in both languages, the Chinese of a help text on its
    own line(s) above the English, and lines wrapped by their width on a terminal (a Chinese
    character takes two columns)."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法 usage: " if prefix is None else prefix)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return [line for part in text.split(" / ", 1) for line in _wrap(" ".join(part.split()), width)]

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))


_WIDE = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
_TOKEN = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|\s+")


def _columns(text: str) -> int:
    return len(text) + len(_WIDE.findall(text))


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces or between Chinese characters."""
    width = max(width, 20)
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        if line and _columns(line + token) > width:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _both(zh: str | None, en: str | None) -> str | None:
    if not zh:
        return en
    if not en:
        return zh
    return f"{zh} / {en}"


def bilingual(parser: argparse.ArgumentParser, command: str = "") -> argparse.ArgumentParser:
    """Put the Chinese help first in ``parser`` and its subcommands (in place); returns ``parser``."""
    parser.formatter_class = BilingualFormatter
    if not command:
        parser.description = _both(_DESCRIPTION_ZH, parser.description)
    for group in parser._action_groups:
        if group.title in ("positional arguments", "options", "optional arguments"):
            group.title = {"positional arguments": "位置参数 positional arguments"}.get(group.title,
                                                                                    "选项 options")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.help = _both(HELP_ZH["command"], action.help or "the command")
            helps = {choice.dest: choice for choice in action._choices_actions}
            for name, sub in action.choices.items():
                zh = COMMANDS_ZH.get(name)
                en = helps[name].help if name in helps else None
                if name in helps:
                    helps[name].help = _both(zh, en)
                sub.description = _both(zh, sub.description or en)
                bilingual(sub, name)
            continue
        zh = HELP_ZH.get(f"{command}.{action.dest}") or HELP_ZH.get(action.dest)
        if action.help is not argparse.SUPPRESS:
            action.help = _both(zh, action.help or _EN_DEFAULT.get(action.dest))
    return parser
