"""The Chinese wording of every problem, kept in one place and keyed by the problem's stable code.

Problems are built in English where they are found (``PackProblem``/``ProjectProblem``); a problem
built without ``message_zh`` gets its Chinese here, from the pattern of its English message (the
values it names are carried over), or else from the plain description of its code. The CLI prints
both, Chinese first (``render_pack_problem``/``render_project_problem``); JSON carries both.

It also finds the characters a Chinese input method types where YAML needs ASCII — the full-width
colon ``：``, the ideographic space U+3000, the full-width comma ``，`` and 、 in flow lists, the
quotes “” and the brackets 【】 — so that they are reported at the line where they are typed, with
their own hint (``ime_problems``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "IME_CODES",
    "ImeMistake",
    "LANGS",
    "ime_fixed",
    "ime_mistakes",
    "ime_scalar_mistake",
    "render_pack_problem",
    "project_problem_text",
    "render_project_problem",
    "translate",
    "translate_usage",
    "values_hint",
]

#: What the CLI can print: Chinese and English (Chinese first), or one of them.
LANGS = ("both", "zh", "en")

# --- input-method mistakes -------------------------------------------------------------------

#: Each input-method mistake: code → (English message, English hint, Chinese message, Chinese hint).
_IME: dict[str, tuple[str, str, str, str]] = {
    "ime-colon": (
        "full-width colon '：' where YAML needs ':'",
        "type the ASCII colon ':' followed by a space",
        "全角冒号“：”应为半角“:”",
        "把“：”改成英文半角冒号“:”，冒号后留一个空格",
    ),
    "ime-space": (
        "full-width space (U+3000) where YAML needs an ASCII space",
        "delete it and type an ordinary space, with the input method switched to half-width",
        "全角空格“　”应为半角空格",
        "删除全角空格，把输入法切换到半角后再输入空格",
    ),
    "ime-comma": (
        "full-width comma '，' or '、' where YAML separates items with ','",
        "separate the items of [ ] or { } with an ASCII comma ',' followed by a space",
        "全角逗号“，”或顿号“、”应为半角逗号“,”",
        "[ ] 或 { } 中的各项之间用英文半角逗号“,”分隔，逗号后留一个空格",
    ),
    "ime-quote": (
        "curly quotes “” where YAML needs ASCII quotes",
        "quote the text with ASCII \"…\", or leave the quotes out",
        "中文引号“”应为半角引号\"\"",
        "用英文半角双引号\"…\"括起文字，或去掉引号",
    ),
    "ime-bracket": (
        "brackets 【】 where YAML needs ASCII [ ]",
        "write a list as [a, b] with ASCII brackets",
        "全角方括号【】应为半角方括号[]",
        "列表用英文半角方括号书写，如 [第十七条, 第十八条]",
    ),
}

#: The codes of input-method mistakes.
IME_CODES = frozenset(_IME)


@dataclass(frozen=True, slots=True)
class ImeMistake:
    """One character an input method typed where YAML needs ASCII: 1-based line and column."""

    code: str
    line: int
    column: int

    @property
    def message(self) -> str:
        return _IME[self.code][0]

    @property
    def hint(self) -> str:
        return _IME[self.code][1]

    @property
    def message_zh(self) -> str:
        return _IME[self.code][2]

    @property
    def hint_zh(self) -> str:
        return _IME[self.code][3]


_KEY = r"[A-Za-z_][A-Za-z0-9_.-]*"
# A key (ASCII, as every key of packs and projects) followed by a full-width colon.
_COLON_AFTER_KEY = re.compile(rf"^[ \u3000]*(?:-[ \u3000]+)*(?:{_KEY}|\"[^\"]*\"|'[^']*')[ \u3000]*(：)")
_SPACE_AFTER_COLON = re.compile(rf"^ *(?:- +)*{_KEY}:(\u3000)")
_SPACE_AFTER_DASH = re.compile(r"^ *-(\u3000)")
_SPACE_INDENT = re.compile(r"^ *(\u3000)")
_VALUE_START = re.compile(rf"^ *(?:- +)*(?:{_KEY}: +)?([“【])")
_FLOW_COMMA = re.compile(r"[，、]")
_MAPPING_COMMA = re.compile(rf"[，、] *{_KEY}: ")
_BLOCK_SCALAR = re.compile(r"(?:^|[:-])\s*[|>][-+0-9]*\s*(?:#.*)?$")


def ime_mistakes(text: str) -> list[ImeMistake]:
    """The input-method characters of ``text`` that sit where YAML reads structure.

    Only where a key, an indentation, a value's first character or a flow list's separator is:
    Chinese text in values (“信息化项目”，……) is left alone, and so are comments and block scalars
    (``text: |``), whose lines are text however they are typed.
    """
    found: list[ImeMistake] = []
    block_indent: int | None = None  # inside a block scalar: lines indented deeper than this
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped.strip() or indent > block_indent:
                continue
            block_indent = None
        body = _without_comment(line)
        if not body.strip():
            continue
        hit = _first_hit(body)
        if hit is not None:
            found.append(ImeMistake(hit[0], number, hit[1] + 1))
        if _BLOCK_SCALAR.search(body):
            block_indent = indent
    return found


def ime_fixed(text: str, mistakes: Iterable[ImeMistake]) -> str:
    """``text`` with each mistake typed as it was meant (``：`` → ``: ``, 【】 → [] …), to check that
    the mistakes are what broke the file."""
    lines = text.split("\n")
    for mistake in mistakes:
        line, at = lines[mistake.line - 1], mistake.column - 1
        if mistake.code == "ime-colon":
            line = line[:at] + ":" + ("" if line[at + 1:at + 2] == " " else " ") + line[at + 1:]
        elif mistake.code == "ime-space":
            run = len(line[at:]) - len(line[at:].lstrip("\u3000"))
            line = line[:at] + "  " * run + line[at + run:]
        elif mistake.code == "ime-comma":
            line = line[:at] + ", " + line[at + 1:]
        else:
            opening, closing, ascii_pair = ("“", "”", '""') if mistake.code == "ime-quote" else ("【", "】", "[]")
            end = line.find(closing, at)
            line = line[:at] + ascii_pair[0] + line[at + 1:]
            if end >= 0:
                line = line[:end] + ascii_pair[1] + line[end + 1:]
        lines[mistake.line - 1] = line
    return "\n".join(lines)


def _first_hit(body: str) -> tuple[str, int] | None:
    """The first input-method mistake of one line (without its comment): code and 0-based column."""
    for pattern, code in ((_SPACE_INDENT, "ime-space"), (_COLON_AFTER_KEY, "ime-colon"),
                          (_SPACE_AFTER_COLON, "ime-space"), (_SPACE_AFTER_DASH, "ime-space")):
        match = pattern.match(body)
        if match:
            return code, match.start(1)
    match = _VALUE_START.match(body)
    if match:
        return ("ime-quote" if match.group(1) == "“" else "ime-bracket"), match.start(1)
    separator = _MAPPING_COMMA.search(body)  # {fact: x，op: 以上}: a comma before the next key
    if separator and "{" in body[:separator.start()]:
        return "ime-comma", separator.start()
    flow = _flow_list(body)
    if flow is not None:
        start, end = flow
        comma = _FLOW_COMMA.search(body, start, end)
        if comma:
            return "ime-comma", comma.start()
        quote = body.find("“", start, end)
        if quote >= 0:
            return "ime-quote", quote
    return None


def _flow_list(body: str) -> tuple[int, int] | None:
    """Where a one-line ``[ … ]`` value of ``body`` is, if it has one."""
    match = re.match(rf"^ *(?:- +)*(?:{_KEY}: +)?\[", body)
    if not match:
        return None
    end = body.find("]", match.end())
    return match.end(), (end if end >= 0 else len(body))


def _without_comment(line: str) -> str:
    """``line`` up to an unquoted `` #`` comment (a rough reading, enough for one line)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and (index == 0 or line[index - 1] in " [{,:"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def ime_scalar_mistake(value: str, in_flow_list: bool) -> tuple[str, int] | None:
    """An input-method mistake in the text of a plain (unquoted) scalar: code and 0-based offset.

    A value in a ``[ … ]`` list holding ``，`` or 、 was meant as two items; a value wrapped whole in
    【】 was meant as a list; a flow list's item wrapped in “” was meant to be quoted.
    """
    if in_flow_list:
        comma = _FLOW_COMMA.search(value)
        if comma:
            return "ime-comma", comma.start()
        if value.startswith("“"):
            return "ime-quote", 0
    if value.startswith("【") and value.endswith("】"):
        return "ime-bracket", 0
    return None


def ime_key_mistake(key: str) -> tuple[str, int] | None:
    """An input-method character in a mapping key (keys are ASCII names): code and 0-based offset."""
    for char, code in (("\u3000", "ime-space"), ("：", "ime-colon"), ("“", "ime-quote"), ("【", "ime-bracket")):
        index = key.find(char)
        if index >= 0:
            return code, index
    return None


def ime_text(code: str) -> tuple[str, str, str, str]:
    """English message, English hint, Chinese message and Chinese hint of an input-method mistake."""
    return _IME[code]


# --- enum values with their labels -------------------------------------------------------------


def values_hint(values: Mapping[str, str]) -> tuple[str, str]:
    """The allowed values of an enum fact with their Chinese labels: (English hint, Chinese hint)."""
    en = "one of: " + ", ".join(f"{code} ({label})" if label else code for code, label in values.items())
    zh = "可选值：" + "、".join(f"{code}（{label}）" if label else code for code, label in values.items())
    return en, zh


# --- translation of English messages -----------------------------------------------------------

#: What each code means, in Chinese: the message of a problem whose English has no pattern below.
CODE_ZH: dict[str, str] = {
    "invalid": "内容有误",
    "schema": "不符合该文件的格式（JSON Schema）",
    "required": "缺少必填项",
    "type-mismatch": "类型不匹配",
    "kind": "与规则类型不符",
    "condition": "条件写法有误",
    "period": "期限写法有误",
    "duplicate-rule": "规则编号重复",
    "duplicate-provision": "条款重复",
    "orphan-provision": "上级条款未列在前",
    "reason-missing": "不可评估的条款须说明理由",
    "text-missing": "缺少条款原文",
    "unknown-fact": "未知的事实",
    "unknown-provision": "条款不在登记表中",
    "unknown-rule": "未知的规则编号",
    "unknown-key": "未知的键",
    "unknown-parameter": "未知的本地参数",
    "unknown-reading": "未声明的解读",
    "unknown-alternative": "不是该解读的选项",
    "unknown-operator": "未知的比较方式",
    "unknown-field": "不是 govrules 认识的事实",
    "syntax": "YAML 语法错误",
    "encoding": "文件不是有效的 UTF-8 编码",
    "too-large": "文件过大",
    "too-deep": "嵌套过深",
    "alias": "规则文件中不允许使用 YAML 锚点或别名",
    "tag": "不允许使用 YAML 标签",
    "key": "映射的键必须是纯文本",
    "duplicate-key": "键重复",
    "number-base": "数字不是十进制",
    "ambiguous-boolean": "含义不明的布尔值",
    "outside-pack": "文件是指向规则包目录之外的符号链接（或链接已失效）",
    "not-a-file": "不是普通文件（可能是目录、设备、管道或套接字）",
    "not-found": "文件不存在",
    "unreadable": "无法读取文件",
    "no-packs": "未找到规则包",
    "duplicate-pack": "规则包编号重复",
    "parent-cycle": "上级辖区形成循环",
    "parent-conflict": "上级辖区前后不一致",
    "lead-in": "lead_in 用法有误",
    "cites-not-evaluable": "引用了标为不可评估的条款",
    "scoring": "评分设置有误",
    "parameter": "本地参数取值有误",
    "duplicate-parameter": "本地参数重复声明",
    "reading-id": "解读编号须以规则包编号开头",
    "duplicate-reading": "解读编号重复",
    "exception-cycle": "例外关系形成循环",
    "exception-depth": "例外嵌套过深",
    "missing-key": "缺少必需的键",
    "bad-date": "不是有效日期",
    "duplicate-date": "日期重复",
    "date-outside-year": "日期不在本年度",
    "date-in-both": "同一日期既是节假日又是调休工作日",
    "workday-not-weekend": "调休工作日不是周末",
    "covered-year": "该年度已内置官方节假日安排",
    "duplicate-year": "同一年度有两个节假日文件",
    "duplicate-case": "测试用例名称重复",
    "in-force-case": "施行日期用例引用的条款有误",
    "empty": "文件为空",
    "type": "类型有误",
    "value_error": "取值有误",
    "literal_error": "不是允许的取值",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "string_type": "应为文本",
    "less_than_equal": "超过允许的最大值",
    "greater_than_equal": "低于允许的最小值",
    "missing": "缺少文件",
}

_Q = r"(?P<q>'[^']*'|\"[^\"]*\")"

#: English message pattern → Chinese template (``{name}`` takes the pattern's group of that name).
#: Tried in order; the first match wins. Patterns name what the message names, nothing more.
_MESSAGES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), zh) for p, zh in [
    # reading the YAML
    (r"^YAML syntax error: could not find expected ':'$", "YAML 语法错误：缺少冒号“:”（或上一行缩进有误）"),
    (r"^YAML syntax error: mapping values are not allowed here$",
     "YAML 语法错误：此处不能出现“键: 值”（冒号后的文字含“: ”时请加引号，或检查缩进）"),
    (r"^YAML syntax error: did not find expected key$", "YAML 语法错误：此处应为“键: 值”（检查缩进和引号）"),
    (r"^YAML syntax error: did not find expected '-' indicator$", "YAML 语法错误：此处应为列表项“- ”（检查缩进）"),
    (r"^YAML syntax error: found character '\\t' that cannot start any token$",
     "YAML 语法错误：不能用制表符（Tab）缩进，请改用空格"),
    (r"^YAML syntax error: found unexpected end of stream$", "YAML 语法错误：到文件末尾仍未闭合"),
    (r"^YAML syntax error: found unexpected ':'$", "YAML 语法错误：多余的冒号“:”"),
    (r"^YAML syntax error: did not find expected ',' or '\]'$", "YAML 语法错误：方括号列表中此处应为“,”或“]”"),
    (r"^YAML syntax error: did not find expected ',' or '\}'$", "YAML 语法错误：花括号映射中此处应为“,”或“}”"),
    (r"^YAML syntax error: expected ',' or '\]', but got (?P<what>.*)$",
     "YAML 语法错误：方括号列表中此处应为“,”或“]”"),
    (r"^YAML syntax error: expected ',' or '\}', but got (?P<what>.*)$",
     "YAML 语法错误：花括号映射中此处应为“,”或“}”"),
    (r"^YAML syntax error: (?P<what>.*)$", "YAML 语法错误（{what}）"),
    (r"^character (?P<c>.*) is not allowed in YAML$", "YAML 中不允许出现字符 {c}"),
    (r"^the file is not valid UTF-8 \(byte (?P<b>0x[0-9a-f]+)\)$", "文件不是有效的 UTF-8 编码（字节 {b}）"),
    (r"^the file is (?P<size>[\d,]+) bytes; the limit is (?P<limit>[\d,]+)$",
     "文件有 {size} 字节，超过上限 {limit} 字节"),
    (r"^duplicate key (?P<k>.+) \(first defined at line (?P<line>\d+)\)$", "键 {k} 重复（第 {line} 行已定义）"),
    (r"^YAML tag (?P<t>.+) is not allowed$", "不允许使用 YAML 标签 {t}"),
    (r"^bare (?P<v>.+) is a boolean in YAML 1\.1 and text in YAML 1\.2$",
     "不加引号的 {v} 在 YAML 1.1 中是布尔值、在 YAML 1.2 中是文本，含义不明"),
    (r"^(?P<v>\S+) is a number in base (?P<b>\d+)$", "{v} 是 {b} 进制数字"),
    (r"^collections are nested more than (?P<n>\d+) levels deep$", "嵌套超过 {n} 层"),
    (r"^YAML (anchor|alias) (?P<n>'[^']*') is not allowed", "规则文件中不允许使用 YAML 锚点“&”或别名“*”（{n}）"),
    (r"^the file is empty$", "文件为空"),
    (r"^the case file is empty$", "测试用例文件为空"),
    # the schema (jsonschema's words, and ours)
    (rf"^unknown key {_Q}$", "未知的键 {q}"),
    (rf"^{_Q} is required here$", "此处缺少必填项 {q}"),
    (r"^(?P<v>.+) is not of type (?P<t>'[a-z]+')$", "{v} 的类型不对，应为 {t}"),
    (r"^(?P<v>.+) is not one of (?P<vs>\[.*\])$", "{v} 不是允许的取值，可选：{vs}"),
    (r"^(?P<v>.+) does not match (?P<p>.+)$", "{v} 的写法不符合要求（{p}）"),
    (r"^(?P<v>.+) should be non-empty$", "{v} 不能为空"),
    (r"^(?P<v>.+) is too short$", "{v} 太短（不能为空）"),
    (r"^(?P<v>.+) is too long$", "{v} 太长"),
    (r"^(?P<v>.+) is less than the minimum of (?P<m>.+)$", "{v} 小于最小值 {m}"),
    (r"^(?P<v>.+) is greater than the maximum of (?P<m>.+)$", "{v} 大于最大值 {m}"),
    (r"^(?P<v>.+) is not valid under any of the given schemas$", "{v} 的写法不符合任何一种允许的形式"),
    (r"^(?P<v>.+) is not a date$", "{v} 不是日期，应写作 YYYY-MM-DD"),
    (r"^(?P<v>.+) is not a calendar date$", "{v} 不是实际存在的日期"),
    # what a pack means
    (rf"^cites {_Q}, which is not in the provision registry$", "引用的条款 {q} 不在条款登记表（provisions.yaml）中"),
    (rf"^cites {_Q}, which the registry marks as not evaluable$", "引用的条款 {q} 在登记表中标为不可评估"),
    (rf"^provision {_Q} is not in the registry$", "条款 {q} 不在登记表中"),
    (rf"^provision {_Q} is not in the (?P<p>\S+) registry$", "条款 {q} 不在规则包 {p} 的登记表中"),
    (rf"^unknown fact {_Q}$", "未知的事实 {q}（事实列表见 docs/facts.md）"),
    (rf"^unknown local parameter {_Q}$", "未知的本地参数 {q}"),
    (rf"^unknown comparison {_Q}$", "未知的比较方式 {q}"),
    (rf"^unknown condition key {_Q}$", "未知的条件键 {q}"),
    (rf"^unknown reading {_Q}$", "未知的解读 {q}"),
    (rf"^no reading {_Q} is declared$", "未声明解读 {q}"),
    (rf"^no rule {_Q} in (?P<p>\S+)$", "规则包 {p} 中没有规则 {q}"),
    (r"^(?P<v>.+) is not a value of (?P<f>\w+)$", "{v} 不是 {f} 的可选值"),
    (rf"^label {_Q} is used twice$", "条款标签 {q} 用了两次"),
    (r"^path (?P<p>\[.*\]) is used twice$", "条款路径 {p} 用了两次"),
    (r"^the parent (?P<p>\[.*\]) is not listed before this entry$", "上级条款 {p} 未在此条之前列出"),
    (r"^a provision marked evaluable: false needs a reason$", "标为 evaluable: false 的条款须写 reason 说明理由"),
    (r"^in_force_until is before in_force_from$", "失效日期 in_force_until 早于施行日期 in_force_from"),
    (rf"^rule id {_Q} is used twice", "规则编号 {q} 重复"),
    (rf"^pack id {_Q} is also used by (?P<d>.+)$", "规则包编号 {q} 已被 {d} 使用"),
    (r"^no rule pack found \(no \*/pack\.yaml\)$", "未找到规则包（没有 */pack.yaml）"),
    (r"^the pack could not be loaded$", "规则包无法载入"),
    (rf"^case name {_Q} is already used \(line (?P<line>\d+)\)", "用例名称 {q} 已在第 {line} 行使用"),
    (r"^a case needs as_of", "用例需要 as_of（评估日期），写在用例中或文件开头"),
    (r"^the (case )?file is a symlink leading outside the pack directory", "文件是指向规则包目录之外的符号链接（或链接已失效）"),
    # conditions
    (r"^a condition with only 'fact' needs op/value, is, in, known or happened$",
     "只写了 fact 的条件还需要 op/value、is、in、known 或 happened"),
    (r"^a condition must be a mapping such as", "条件应写成映射，如 {fact: …, is: …} 或 {all: […]}"),
    (r"^needs a non-empty list of conditions$", "需要一个非空的条件列表"),
    (r"^a (?P<s>'[^']*') condition does not take (?P<x>.+) and needs (?P<n>.+)$", "{s} 条件不接受键 {x}，且缺少键 {n}"),
    (r"^a (?P<s>'[^']*') condition does not take (?P<x>.+)$", "{s} 条件不接受键 {x}"),
    (r"^a (?P<s>'[^']*') condition needs (?P<n>.+)$", "{s} 条件缺少键 {n}"),
    (r"^local parameter (?P<p>\S+) is a (?P<t>\w+), but (?P<f>\w+) is a (?P<u>\w+)$",
     "本地参数 {p} 是 {t}，而 {f} 是 {u}，不能比较"),
    (r"^local parameter (?P<p>\S+) is a (?P<t>\w+), but a (?P<u>\w+) is needed here$",
     "本地参数 {p} 是 {t}，此处需要 {u}"),
    (r"^(?P<op>'[^']*') compares sizes, but (?P<f>\w+) is a (?P<t>\w+)$", "{op} 比较大小，但 {f} 是 {t} 类型"),
    (r"^a period is one of (?P<k>.+) with N a whole number of at least 1$", "期限写作 {k} 之一，N 为不小于 1 的整数"),
    (r"^(?P<f>\w+) is a (?P<t>\w+): compare it with op/value$", "{f} 是 {t} 类型：请用 op/value 比较"),
    (r"^'in' needs a non-empty list of values$", "in 需要一个非空的取值列表"),
    (r"^'in' needs a non-empty list of answers$", "in 需要一个非空的答案列表"),
    (r"^'in' lists values of an enum or text fact, not a (?P<t>\w+)$", "in 只用于枚举或文本事实，不能用于 {t}"),
    (r"^happened is true or false$", "happened 应为 true 或 false"),
    (r"^known is true or false$", "known 应为 true 或 false"),
    (r"^(?P<f>\w+) does not record an act", "{f} 不记录行为的日期；happened 只用于记录行为的日期事实"),
    (r"^a reading condition is", "解读条件写作 {reading: ID, is: ANSWER} 或 {reading: ID, in: [ANSWER, …]}"),
    (r"^a jurisdiction condition is", "辖区条件写作 {jurisdiction: below} 或 {jurisdiction: own}"),
    (r"^a fact operand is", "事实操作数写作 {fact: NAME}，可加 times 或 plus"),
    (r"^cannot compare (?P<a>\w+) \((?P<t>\w+)\) with (?P<b>\w+) \((?P<u>\w+)\)$", "{a}（{t}）不能与 {b}（{u}）比较"),
    (r"^(?P<v>.+) is not a valid (?P<t>\w+) for (?P<f>\w+): (?P<e>.+)$", "{v} 不是 {f} 的有效 {t} 值（{e}）"),
    (r"^(?P<v>.+) is not an alternative of reading (?P<r>\S+)$", "{v} 不是解读 {r} 的选项"),
    (r"^(?P<v>.+) is not an alternative of (?P<r>\S+)$", "{v} 不是解读 {r} 的选项"),
    (r"^times scales an amount or number by a ratio$", "times 只能按比例缩放金额或数字"),
    (r"^times must be a non-negative number such as 0\.1$", "times 应为非负数，如 0.1"),
    (r"^plus adds a duration to a date$", "plus 只能给日期加上一段期限"),
    # rule kinds and rules
    (r"^a scope rule says whether it includes or excludes", "适用范围规则须写明纳入或排除：effect: include | exclude"),
    (r"^only scope rules have an effect$", "只有适用范围规则（scope）才有 effect"),
    (r"^a deadline rule needs deadline", "期限规则须写 deadline: {from, within, done}"),
    (r"^only deadline rules have a deadline \(this one is (?P<k>'[^']*')\)$", "只有期限规则才有 deadline（本规则是 {k}）"),
    (r"^a (?P<k>\w+) rule states when it applies, not a requirement; use when$",
     "{k} 规则只写适用条件，不写要求：请用 when"),
    (r"^a scoring rule needs scoring", "评分规则须写 scoring: {dimensions, total, grade, bands}"),
    (r"^only scoring rules have scoring \(this one is (?P<k>'[^']*')\)$", "只有评分规则才有 scoring（本规则是 {k}）"),
    (r"^only an exception \(a rule with exception_to\) has (?P<k>\w+)$", "只有例外规则（写了 exception_to）才有 {k}"),
    (r"^lifts: when_met lifts the base rule", "lifts: when_met 须配合 require 使用"),
    (r"^rule id (?P<q>'[^']*') must start with (?P<p>.+)$", "规则编号 {q} 须以 {p} 开头"),
    (r"^rule id (?P<q>'[^']*') is already used", "规则编号 {q} 已被使用"),
    (r"^exception_to names unknown rule (?P<q>'[^']*')$", "exception_to 指向不存在的规则 {q}"),
    (r"^exceptions form a cycle: (?P<c>.+)$", "例外关系形成循环：{c}"),
    (r"^this rule is an exception (?P<n>\d+) levels deep; the limit is (?P<m>\d+)$", "本规则的例外嵌套 {n} 层，上限 {m} 层"),
    (r"^reason is only for provisions marked evaluable: false$", "只有标为 evaluable: false 的条款才写 reason"),
    (r"^lead_in marks the own text of a provision with sub-items; this one has no text$",
     "lead_in 标记有下级条款的条文自身的文字；此条没有 text"),
    (r"^a provision with no sub-items needs its text$", "没有下级条款的条款须有 text（条文原文）"),
    (r"^lead_in is for a provision with sub-items", "lead_in 只用于有下级条款的条款（引出下级各项）"),
    (r"^the provision is nested (?P<n>\d+) levels deep; the limit is (?P<m>\d+)", "条款嵌套 {n} 层，上限 {m} 层"),
    (r"^a dimension score is a number; (?P<f>\w+) is a (?P<t>\w+)$", "评分维度应为数字事实；{f} 是 {t}"),
    (r"^the weights add up to (?P<n>\S+), not 100$", "权重合计为 {n}，而不是 100"),
    (r"^a dimension is listed twice$", "评分维度重复列出"),
    (r"^total must name a number fact, not (?P<q>.+)$", "total 须是数字事实，而不是 {q}"),
    (r"^grade must name an enum fact, not (?P<q>.+)$", "grade 须是枚举事实，而不是 {q}"),
    (r"^grade (?P<g>'[^']*') of (?P<b>\S+) is not a value of (?P<f>\w+)$", "{b} 中的等级 {g} 不是 {f} 的可选值"),
    (r"^(?P<f>\w+) is of type (?P<t>\w+), but a deadline counts from and to dates$", "{f} 是 {t} 类型，而期限须从日期起算、到日期为止"),
    (r"^local parameter (?P<q>'[^']*') is declared twice$", "本地参数 {q} 重复声明"),
    (r"^reading id (?P<q>'[^']*') must start with the pack id", "解读编号 {q} 须以规则包编号开头"),
    (r"^reading id (?P<q>'[^']*') is used twice$", "解读编号 {q} 重复"),
    (r"^answer (?P<q>'[^']*') is not one of its alternatives$", "答案 {q} 不是该解读的选项"),
    (r"^jurisdiction (?P<j>'[^']*') names itself as its parent$", "辖区 {j} 把自己列为上级"),
    (r"^jurisdiction (?P<j>'[^']*') has parent (?P<a>\S+) here but (?P<b>\S+) in (?P<f>.+)$",
     "辖区 {j} 在此的上级是 {a}，在 {f} 中却是 {b}"),
    (r"^jurisdiction parents form a cycle: (?P<c>.+)$", "上级辖区形成循环：{c}"),
    (r"^a mapping key must be plain text$", "映射的键必须是纯文本"),
    (r"^… and (?P<n>\d+) more anchors or aliases from here on$", "……此后还有 {n} 处锚点或别名"),
    # cases
    (r"^no expected rule of this case cites (?P<p>.+)$", "本用例预期的规则都不引用 {p}"),
    (r"^an expectation checks at least one of (?P<k>.+)$", "每条预期至少检查 {k} 之一"),
    (r"^pack_in_force tests the provision pack\.yaml cites", "pack_in_force 只用于 pack.yaml 中施行日期所引用的条款"),
    (r"^no loaded pack in (?P<d>.+)$", "{d} 中没有已载入的规则包"),
    # holiday files
    (r"^a holiday file must be a mapping", "节假日文件应为含 year、source、holidays、workdays 的映射"),
    (r"^(?P<k>\w+) must be a list of dates \(YYYY-MM-DD\)$", "{k} 应为日期列表（YYYY-MM-DD）"),
    (r"^the holiday file could not be read$", "无法读取节假日文件"),
    (rf"^missing key {_Q}$", "缺少键 {q}"),
    (r"^year must be a whole number such as 2027, got (?P<v>.+)$", "year 应为整数年份，如 2027，实际是 {v}"),
    (r"^source must be text naming the official notice$", "source 应为官方通知的名称"),
    (r"^(?P<d>\S+) is listed both as a holiday", "{d} 既列为节假日又列为调休工作日"),
    (r"^(?P<d>\S+) is a (?P<w>\w+), not a weekend day$", "{d} 是工作日（{w}），不是周末"),
    (r"^(?P<d>\S+) is not in the year (?P<y>\d+)$", "{d} 不在 {y} 年内"),
    (r"^(?P<d>\S+) is listed twice in (?P<k>\w+)", "{d} 在 {k} 中列了两次"),
    (r"^the year (?P<y>\d+) already has the official schedule built in", "{y} 年已内置官方节假日安排，此文件会替换它"),
    (r"^a second holiday file for the year (?P<y>\d+)", "{y} 年的第二个节假日文件"),
    # projects
    (r"^is not a fact govrules knows$", "不是 govrules 认识的事实"),
    (r"^expected (?P<t>\w+), got (?P<g>\w+) (?P<v>.+)$", "应为 {t} 类型，实际是 {g} {v}"),
    (r"^is given more than once; give each field once$", "重复出现；每个字段只能写一次"),
    (r"^not valid JSON: (?P<e>.+)$", "不是有效的 JSON（{e}）"),
    (r"^the JSON is nested too deeply to be a project$", "JSON 嵌套过深，不是项目文件"),
    (r"^a project is a mapping of fact names to values, not (?P<t>\w+)$",
     "项目文件应为“事实名: 值”的映射，而不是 {t}"),
    (r"^field names must be text$", "字段名必须是文本"),
    (r"^(?P<v>.+) is not a date; write YYYY-MM-DD", "{v} 不是日期，应写作 YYYY-MM-DD，如 2026-05-11"),
    (r"^give a date \(YYYY-MM-DD\), not a date and time$", "只写日期（YYYY-MM-DD），不要写时间"),
    (r"^outside the years (?P<a>\d+)–(?P<b>\d+) a project can be dated", "日期超出项目可用的年份范围 {a}–{b}"),
    (r"^(?P<v>.+) is not an amount; write e\.g\.", "{v} 不是金额，应写作 5000000、\"500万\" 或 \"500万元\""),
    (r"^an amount cannot be negative$", "金额不能为负数"),
    (r"^cannot be negative$", "不能为负数"),
    (r"^an amount must be a number of 元, not true/false$", "金额应为元数，不能是 true/false"),
    (r"^an amount must not be a binary float", "金额不能是二进制浮点数，请写成文本如 '500万元'"),
    (r"^(?P<v>.+) is not a number$", "{v} 不是数字"),
    (r"^a number, not true/false$", "应为数字，不能是 true/false"),
    (r"^Input should be a valid boolean", "应为 true 或 false"),
    (r"^Input should be a valid integer", "应为整数"),
    (r"^Input should be a valid string", "应为文本"),
    (r"^Input should be less than or equal to (?P<m>\S+)$", "应不大于 {m}"),
    (r"^Input should be greater than or equal to (?P<m>\S+)$", "应不小于 {m}"),
    (r"^no such file$|^No such file or directory$|no such file", "文件不存在"),
    (r"^the file is not a regular file", "不是普通文件（可能是目录、设备、管道或套接字）"),
    (r"^cannot read the file: (?P<e>.+)$", "无法读取文件（{e}）"),
]]

#: English hint pattern → Chinese.
_HINTS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), zh) for p, zh in [
    (r"^did you mean (?P<w>.+)\?$", "是否应为 {w}？"),
    (r"^one of: (?P<vs>.+)$", "可选值：{vs}"),
    (r"^allowed keys: (?P<vs>.+)$", "允许的键：{vs}"),
    (r"^see docs/pack-format\.md for what this part of a pack holds$", "各部分的写法见 docs/pack-format.md"),
    (r"^see the file's JSON Schema", "见 src/govrules/schemas/ 中该文件的 JSON Schema（文件第一行注明）"),
    (r"^add the missing key; see docs/pack-format\.md$", "补上缺少的键，见 docs/pack-format.md"),
    (r"^compare a fact only with a value of its own type", "事实只能与同类型的值比较；各事实的类型见 docs/facts.md"),
    (r"^see docs/pack-format\.md for the keys each rule kind takes$", "各类规则可用的键见 docs/pack-format.md"),
    (r"^see docs/pack-format\.md for the condition shapes$", "条件的写法见 docs/pack-format.md"),
    (r"^write a period such as", "期限写作 {working_days: 5} 或 {months: 3} 等"),
    (r"^give each rule its own id$", "每条规则使用不同的编号"),
    (r"^list each label and path once in provisions\.yaml$", "provisions.yaml 中每个标签和路径只列一次"),
    (r"^list the parent provision", "先列上级条款（款的条、项的款），再列其下各部分"),
    (r"^add reason: saying why", "加上 reason: 说明该条文为何无法评估"),
    (r"^copy the provision's verbatim text into text:$", "把条文原文照录到 text: 中"),
    (r"^docs/facts\.md lists every fact", "所有事实列在 docs/facts.md（或运行 govrules facts）"),
    (r"^cite a label listed in provisions\.yaml$", "引用 provisions.yaml 中列出的条款标签"),
    (r"^name the id of a rule of this pack$", "填写本规则包中某条规则的编号"),
    (r"^see docs/pack-format\.md for the keys allowed here$", "此处允许的键见 docs/pack-format.md"),
    (r"^see docs/facts\.md for the fact vocabulary$", "事实列表见 docs/facts.md（或运行 govrules facts）"),
    (r"^check the indentation and quoting here$", "检查此处的缩进和引号"),
    (r"^while scanning a simple key$", "此行应为“键: 值”（检查冒号和缩进）"),
    (r"^while parsing a block mapping$", "检查此映射的缩进"),
    (r"^while parsing a block collection$", "检查此列表的缩进"),
    (r"^while parsing a flow sequence$", "检查方括号列表的逗号和括号"),
    (r"^while scanning a quoted scalar$", "此处开始的引号没有对应的结束引号"),
    (r"^write true or false", "写 true 或 false"),
    (r"^write the number in decimal", "数字用十进制书写，文本请加引号"),
    (r"^each key may appear once in a mapping", "同一映射中每个键只能出现一次，请合并两处"),
    (r"^remove the tag", "删除标签；规则文件只含文本、数字、列表和映射"),
    (r"^write the value out in full$", "把值完整写出"),
    (r"^write every value out in full$", "把每个值完整写出"),
    (r"^save the file as UTF-8$", "以 UTF-8 编码保存文件"),
    (r"^remove the control character$", "删除控制字符"),
    (r"^point to a regular YAML file$", "请指定一个普通的 YAML 文件"),
    (r"^copy the file into the pack", "把文件复制到规则包中，不要使用链接"),
    (r"^write YYYY-MM-DD", "写作 YYYY-MM-DD"),
    (r"^write dates as YYYY-MM-DD", "日期写作 YYYY-MM-DD，如 2027-01-01"),
    (r"^declare it in pack\.yaml under local_parameters$", "在 pack.yaml 的 local_parameters 下声明"),
    (r"^no rule file of a real measure comes near this size$", "实际办法的规则文件远小于此"),
    (r"^no rule needs this depth", "规则不需要这么深的嵌套；all/any 可接列表"),
    (r"^write its content, or delete the file$", "写入内容，或删除该文件"),
    (r"^check the file is YAML$", "确认文件是 YAML 格式"),
    (r"^give the file's path", "请给出文件路径"),
    (r"^write exactly one of: ", "只写其中一种形式：{all: […]}、{any: […]}、{not: …}、{fact, op, value}、{fact, is}、{fact, in} 等"),
    (r"^use 'is' or 'in' for yes/no and listed values$", "是否类和列举值请用 is 或 in"),
    (r"^write (?P<k>\w+): \[\] for none$", "没有则写 {k}: []"),
    (r"^a day is either a rest day or a 调休 working day", "一天要么是休息日，要么是调休工作日；从其中一个列表删除"),
    (r"^调休 days are weekend days", "调休工作日都是周末；周一至周五本来就是工作日"),
    (r"^a holiday file holds one year's days", "一个节假日文件只含一年的日期；其他年份放在各自的文件中"),
    (r"^remove the repeated date$", "删除重复的日期"),
    (r"^leave the file out, or pass --replace-holidays", "不用此文件，或加 --replace-holidays 以替换内置安排"),
    (r"^give one file per year$", "每年只给一个文件"),
    (r"^a case tests the provision it names", "用例测试它所写的条款：预期一条引用该条款的规则"),
    (r"^name that provision in this case, or expect decisions instead$", "在本用例中写那一条款，或改为预期决定"),
    (r"^no measure nests provisions this deep", "没有办法的条款嵌套这么深（条/款/项/目共四层）"),
    (r"^rule ids are unique across packs", "规则编号以规则包编号开头，各包之间不会重复"),
    (r"^name the jurisdiction above this one, or leave parent out$", "写上一级辖区，或不写 parent"),
    (r"^every pack of one jurisdiction names the same parent$", "同一辖区的各规则包须写同一个上级"),
    (r"^a jurisdiction cannot be, directly or through others, its own parent$", "辖区不能直接或间接成为自己的上级"),
    (r"^an exception must not, directly or through others, be an exception to itself$", "例外不能直接或间接成为自己的例外"),
    (r"^no measure nests exceptions this deep", "没有办法的例外嵌套这么深；改为更上层规则的例外"),
    (r"^remove evaluable: false from the registry entry, or cite another provision$",
     "从登记表中删去 evaluable: false，或引用其他条款"),
    (r"^weights are percentages of the total score$", "权重是总分的百分比"),
    (r"^see docs/pack-format\.md$", "见 docs/pack-format.md"),
    (r"^quote the key if it looks like a boolean", "键像布尔值（\"Y\"、\"on\"）时加引号；键不能是列表、映射或带标签的值"),
]]


#: The command line's own errors (a wrong jurisdiction, a file it cannot read or write): English → Chinese.
_USAGE: list[tuple[re.Pattern[str], str]] = [(re.compile(p), zh) for p, zh in [
    (r"^no pack for jurisdiction (?P<j>'[^']*'); did you mean (?P<w>'[^']*')\?$", "没有辖区 {j} 的规则包；是否应为 {w}？"),
    (r"^no pack for jurisdiction (?P<j>'[^']*') \(known: (?P<k>.*)\)$", "没有辖区 {j} 的规则包（已有：{k}）"),
    (r"^(?P<f>.+): no such ledger file$", "找不到台账文件 {f}"),
    (r"^cannot write the log (?P<f>.+?): (?P<e>.+)$", "无法写入审计日志 {f}（{e}）"),
    (r"^cannot write (into )?(?P<f>.+?): (?P<e>.+)$", "无法写入 {f}（{e}）"),
    (r"^cannot read (?P<f>.+?): (?P<e>.+)$", "无法读取 {f}（{e}）"),
    (r"^govrules batch needs pyarrow", "govrules batch 需要 pyarrow：pip install 'govrules[batch]'"),
    (r"^govrules serve needs FastAPI", "govrules serve 需要 FastAPI 和 uvicorn：pip install 'govrules[service]'"),
    (r"^--mask only applies to --log$", "--mask 只能与 --log 同用"),
    (r"^-n must be at least 1$", "-n 至少为 1"),
    (r"^(?P<f>.+): unsupported ledger format (?P<s>'[^']*')", "{f}：不支持的台账格式 {s}（请用 .csv、.jsonl 或 .parquet）"),
    (r"^(?P<f>.+): unsupported output format (?P<s>'[^']*')", "{f}：不支持的输出格式 {s}（请用 .csv、.jsonl 或 .parquet）"),
    (r"^(?P<f>.+): the header line cannot be read as CSV \((?P<e>.+)\)$", "{f}：表头一行无法按 CSV 读取（列名中有回车符或不是 CSV 格式）"),
    (r"^(?P<f>.+): the header line is not valid UTF-8 text$", "{f}：表头一行不是有效的 UTF-8 文本"),
    (r"^(?P<f>.+): the ledger has no header line", "{f}：台账没有表头（第一行应为各列的事实名称）"),
    (r"^(?P<f>.+): column\(s\) (?P<c>.+) appear more than once", "{f}：列 {c} 出现了不止一次"),
    (r"^(?P<f>.+): cannot read the ledger: (?P<e>.+)$", "{f}：无法读取台账（{e}）"),
    (r"^(?P<f>.+): (?P<w>.+) would overwrite the ledger (?P<l>.+); choose another output name$",
     "{f}：写入会覆盖台账 {l}，请换一个输出文件名"),
    (r"^(?P<f>.+): (?P<w>.+) is a directory; name a file$", "{f} 是目录，请指定一个文件"),
    (r"^(?P<f>.+): the directory (?P<d>.+) does not exist$", "{f}：目录 {d} 不存在"),
    (r"^the batch size must be at least 1", "批大小至少为 1"),
    (r"^unknown column set\(s\) (?P<c>.+); choose from (?P<k>.+)$", "未知的列组 {c}；可选：{k}"),
]]


#: argparse's own words for a command line it cannot parse: English → Chinese.
_ARGPARSE: list[tuple[re.Pattern[str], str]] = [(re.compile(p), zh) for p, zh in [
    (r"^the following arguments are required: (?P<a>.+)$", "缺少必需的参数：{a}"),
    (r"^unrecognized arguments: (?P<a>.+)$", "无法识别的参数：{a}"),
    (r"^argument (?P<a>\S+): invalid choice: (?P<v>'.*') \(choose from (?P<c>.+)\)$", "参数 {a} 的值 {v} 无效，可选：{c}"),
    (r"^argument (?P<a>\S+): expected one argument$", "参数 {a} 后面需要一个值"),
    (r"^argument (?P<a>\S+): expected at least one argument$", "参数 {a} 后面至少需要一个值"),
    (r"^argument (?P<a>\S+): invalid int value: (?P<v>'.*')$", "参数 {a} 的值 {v} 不是整数"),
    (r"^argument (?P<a>\S+): invalid float value: (?P<v>'.*')$", "参数 {a} 的值 {v} 不是数字"),
    (r"^argument (?P<a>\S+): (?P<v>'.*') is not a date; write YYYY-MM-DD$", "参数 {a} 的值 {v} 不是日期，请写作 YYYY-MM-DD"),
    (r"^argument (?P<a>\S+): not allowed with argument (?P<b>\S+)$", "参数 {a} 不能与 {b} 同时使用"),
]]


def translate_argparse(message: str) -> str:
    """The Chinese of argparse's error for a command line it cannot parse (a general sentence when
    the wording is not one known here; the English is always printed beside it)."""
    return _translated(message, _ARGPARSE) or _translated(message, _USAGE) or "命令行参数有误（见下方英文说明和用法）"


def translate_usage(message: str) -> str | None:
    """The Chinese of an error of the command line itself, or None if it has none yet."""
    return _translated(message, _USAGE)


def translate(code: str, message: str, hint: str | None) -> tuple[str, str | None]:
    """The Chinese of an English problem: its message from its pattern (or its code's description)
    and its hint (None when the hint has no Chinese wording yet)."""
    return _translated(message, _MESSAGES) or CODE_ZH.get(code, CODE_ZH["invalid"]), \
        (_translated(hint, _HINTS) if hint else None)


def _translated(text: str, table: Iterable[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, zh in table:
        match = pattern.search(text)
        if match:
            groups = {k: _quoted(v) for k, v in match.groupdict().items() if v is not None}
            # Only {name} is a slot: {working_days: 5} and {all: […]} are YAML, written as they are.
            return _SLOT.sub(lambda slot: groups.get(slot.group(1), slot.group(0)), zh)
    return None


_SLOT = re.compile(r"\{(\w+)\}")


def _quoted(value: str) -> str:
    """A value the English quotes 'so' is quoted “so” in Chinese."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" and not set(value) & set("“”"):
        return f"“{value[1:-1]}”"
    return value


# --- rendering -------------------------------------------------------------------------------


def _lines(where: str, message: str, hint: str | None, zh: str | None, hint_zh: str | None,
           lang: str, open_: str = "（", close: str = "）") -> list[str]:
    zh_line = f"{where}: {zh or message}" + (f"{open_}{hint_zh}{close}" if hint_zh else "")
    en_line = f"{where}: {message}" + (f" ({hint})" if hint else "")
    if lang == "zh":
        return [zh_line]
    if lang == "en":
        return [en_line]
    return [zh_line, en_line]


def render_pack_problem(problem: object, lang: str = "both") -> list[str]:
    """A pack problem as the CLI prints it: ``file:line:column: 中文（提示）`` then the same in English
    (``--lang both``, the default), or only one of them."""
    p = problem
    return _lines(p.location(), p.message, p.hint, p.message_zh, p.hint_zh, lang)  # type: ignore[attr-defined]


def render_project_problem(problem: object, lang: str = "both") -> list[str]:
    """A project problem as the CLI prints it: ``field: 中文（提示）`` then the same in English."""
    p: Any = problem
    if p.field == "(file)" and p.line is None:  # the file as a whole (missing, not JSON): no field to name
        return [line.removeprefix(": ") for line in _lines("", p.message, p.hint, p.message_zh, p.hint_zh, lang)]
    lines = _lines(p.where(), p.message, p.hint, p.message_zh, p.hint_zh, lang)
    if lang != "en" and p.line is not None:  # the Chinese line says where in Chinese
        where_zh = (f"第 {p.line} 行" + (f"第 {p.column} 列" if p.column else ""))
        where_zh = where_zh if p.field.startswith("(line ") else f"{p.field}（{where_zh}）"
        lines[0] = where_zh + lines[0][len(p.where()):]
    return lines


def project_problem_text(problem: object) -> str:
    """A project problem on one line, Chinese first: ``field: 中文（提示） / English (hint)`` (a ledger's
    error column, where one row's problems share one cell)."""
    zh, en = render_project_problem(problem, "both")
    return f"{zh} / {en[len(problem.where()) + 2:]}"  # type: ignore[attr-defined]
