"""Messages policy staff can act on (issue 15): Chinese first, English beside, each at the right place.

The mistakes of a Chinese input method — a full-width colon, space or comma, the quotes “” and the
brackets 【】 typed where YAML needs ASCII — are reported at the line and column where they were
typed, in Chinese; an enum value with no close spelling lists the allowed values with their labels;
a missing project file and a YAML mistake in a project are told as what they are.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from govrules.cli import _parser, main
from govrules.errors import PackError, PackProblem, ProjectError, ProjectProblem
from govrules.loading import load_pack
from govrules.projects import parse_project, read_project
from govrules.yamlfiles import YamlReadError, read_yaml_text

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
EXAMPLE = ROOT / "examples" / "wuxing-project.yaml"
CONSTRUCTION = "rules/construction.yaml"
OUTCOME = "    outcome: supervision_required\n"
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def edited_wuxing(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of the wuxing pack with ``old`` replaced once in construction.yaml, and the line it is on."""
    pack = tmp_path / "policies" / "wuxing"
    shutil.copytree(POLICIES / "wuxing", pack)
    shutil.copytree(POLICIES / "huzhou", tmp_path / "policies" / "huzhou")
    path = pack / CONSTRUCTION
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old):], encoding="utf-8")
    return pack, text.count("\n", 0, index) + 1


def pack_problems(pack: Path) -> list[PackProblem]:
    with pytest.raises(PackError) as info:
        load_pack(pack)
    return list(info.value.problems)


# ---------------------------------------------------------------------------------------------
# Input-method mistakes in rule files, each at its own line and column


def test_full_width_colon_is_reported_on_its_own_line_not_two_lines_later(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, OUTCOME, "    outcome： supervision_required\n")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line, problem.column) == ("ime-colon", line, len("    outcome") + 1)
    assert problem.message_zh == "全角冒号“：”应为半角“:”"
    assert problem.file.endswith("construction.yaml")
    assert "：" in (pack / CONSTRUCTION).read_text(encoding="utf-8").splitlines()[problem.line - 1]


def test_full_width_colon_without_a_space_after_it(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, OUTCOME, "    outcome：supervision_required\n")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line, problem.column) == ("ime-colon", line, 12)


def test_full_width_space_after_the_colon(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, OUTCOME, "    outcome:\u3000supervision_required\n")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line, problem.column) == ("ime-space", line, len("    outcome:") + 1)
    assert problem.message_zh == "全角空格“　”应为半角空格"


def test_full_width_spaces_as_indentation(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, OUTCOME, "\u3000\u3000outcome: supervision_required\n")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line, problem.column) == ("ime-space", line, 1)
    assert "全角空格" in problem.message_zh


def test_full_width_comma_in_a_flow_list(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, "cites: [第十五条]", "cites: [第十五条，第十六条第一款]")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line) == ("ime-comma", line)
    text_line = (pack / CONSTRUCTION).read_text(encoding="utf-8").splitlines()[line - 1]
    assert text_line[problem.column - 1] == "，"
    assert problem.message_zh == "全角逗号“，”或顿号“、”应为半角逗号“,”"


def test_enumeration_comma_in_a_flow_list(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, "cites: [第十五条]", "cites: [第十五条、第十六条第一款]")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line) == ("ime-comma", line)


def test_curly_quotes_in_a_flow_list(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, "cites: [第十五条]", "cites: [“第十五条”]")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line, problem.column) == ("ime-quote", line, len("    cites: [") + 1)
    assert problem.message_zh == "中文引号“”应为半角引号\"\""


def test_curly_quotes_around_text_that_needs_quoting(tmp_path: Path) -> None:
    # “a: b” is not quoted for YAML: ": " inside it breaks the line; the quote is the cause.
    pack, line = edited_wuxing(tmp_path, OUTCOME, "    outcome: “supervision: required”\n")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line, problem.column) == ("ime-quote", line, len("    outcome: ") + 1)


def test_a_value_in_curly_quotes_gets_the_quote_hint_in_its_problem(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, "cites: [第十五条]", "cites: “第十五条”")
    (problem,) = pack_problems(pack)
    assert problem.line == line
    assert problem.hint_zh is not None and problem.hint_zh.startswith("中文引号“”应为半角引号")


def test_brackets_of_a_chinese_input_method(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, "cites: [第十五条]", "cites: 【第十五条】")
    (problem,) = pack_problems(pack)
    assert (problem.code, problem.line, problem.column) == ("ime-bracket", line, len("    cites: ") + 1)
    assert problem.message_zh == "全角方括号【】应为半角方括号[]"


def test_chinese_punctuation_inside_text_is_not_a_mistake() -> None:
    text = ("title: 关于“信息化项目”的规定，见【附件】\n"
            "text: |\n"
            "  \u3000\u3000第一条　为规范管理：制定本办法。\n"
            "  【说明】“全角”，照录\n"
            "note: 第十五条：合同签订后，5个工作日内  # 注释：全角\n"
            "quote: \"outcome： x\"\n")
    doc = read_yaml_text(text.encode("utf-8"), "t.yaml")
    assert doc.data["text"].startswith("\u3000\u3000第一条")
    assert doc.data["quote"] == "outcome： x"


def test_every_real_pack_still_loads() -> None:
    # The bundled packs quote Chinese texts full of ，“”【】：; none of it is read as a mistake.
    for pack in sorted(POLICIES.iterdir()):
        if (pack / "pack.yaml").is_file():
            load_pack(pack)


def test_a_mistake_that_does_not_explain_the_syntax_error_keeps_the_parsers_words() -> None:
    # The list is unclosed whatever the comma: both are reported, each where it is.
    with pytest.raises(YamlReadError) as info:
        read_yaml_text("x: [a，b\ny: 2\n".encode(), "t.yaml")
    assert [(p.code, p.line) for p in info.value.problems] == [("ime-comma", 1), ("syntax", 2)]
    # Typed right, the colon mends the file: only the colon is reported.
    with pytest.raises(YamlReadError) as info:
        read_yaml_text("a: 1\nb： 2\nc: 3\n".encode(), "t.yaml")
    assert [(p.code, p.line, p.column) for p in info.value.problems] == [("ime-colon", 2, 2)]


def test_a_syntax_error_without_an_input_method_character_is_the_parsers() -> None:
    with pytest.raises(YamlReadError) as info:
        read_yaml_text("title: 说明：见下\nk: 1\n  bad: 2\n".encode(), "t.yaml")
    assert [(p.code, p.line) for p in info.value.problems] == [("syntax", 3)]


# ---------------------------------------------------------------------------------------------
# Every problem in both languages


def test_every_pack_problem_gets_chinese_from_its_english() -> None:
    p = PackProblem(file="r.yaml", line=3, column=5, code="unknown-fact", message="unknown fact 'budget_amout'",
                    hint="did you mean 'budget_amount'?")
    assert p.message_zh == "未知的事实 “budget_amout”（事实列表见 docs/facts.md）"
    assert p.hint_zh == "是否应为 “budget_amount”？"
    assert p.to_dict()["message_zh"] == p.message_zh


def test_a_message_without_a_pattern_gets_its_codes_chinese() -> None:
    p = PackProblem(file="r.yaml", code="exception-cycle", message="something new nobody translated")
    assert p.message_zh == "例外关系形成循环"
    unknown = PackProblem(file="r.yaml", code="no-such-code", message="something new")
    assert unknown.message_zh == "内容有误"


def test_a_chinese_message_given_is_kept() -> None:
    p = ProjectProblem(field="x", message="m", message_zh="自定", hint="did you mean 'y'?", hint_zh="自定提示")
    assert (p.message_zh, p.hint_zh) == ("自定", "自定提示")


def test_schema_problems_speak_chinese(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, OUTCOME, OUTCOME + "    outcom: x\n")
    problems = pack_problems(pack)
    unknown = [p for p in problems if p.code == "unknown-key"]
    assert unknown and unknown[0].line == line + 1
    assert unknown[0].message_zh == "未知的键 “outcom”"


# ---------------------------------------------------------------------------------------------
# Projects


def test_enum_value_without_a_close_match_lists_the_values_with_their_labels() -> None:
    with pytest.raises(ProjectError) as info:
        parse_project({"project_type": "operations"})
    (p,) = info.value.problems
    assert p.field == "project_type"
    assert p.hint_zh == "可选值：construction（建设项目）、operation_maintenance（运维项目）"
    assert p.hint == "one of: construction (建设项目), operation_maintenance (运维项目)"
    assert p.message_zh == "'operations' 不是“项目类型”（project_type）的可选值"


def test_enum_value_with_a_close_match_still_says_did_you_mean() -> None:
    with pytest.raises(ProjectError) as info:
        parse_project({"funding_source": "fiscl"})
    (p,) = info.value.problems
    assert p.hint == "did you mean 'fiscal'?"
    assert p.hint_zh == "是否应为 “fiscal”？"


def test_unknown_field_in_chinese() -> None:
    with pytest.raises(ProjectError) as info:
        parse_project({"kind": "x"})
    (p,) = info.value.problems
    assert p.message_zh == "不是 govrules 认识的事实"
    assert p.hint_zh == "是否应为 “id”？"


def test_yaml_mistake_in_a_project_names_field_line_and_column_and_hides_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: p-1\nproject_type： construction\ntotal_investmnt: 500万\nfunding_source: operations\n",
                    encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    by_field = {p.field: p for p in info.value.problems}
    assert set(by_field) == {"project_type", "total_investmnt", "funding_source"}
    colon = by_field["project_type"]
    assert (colon.code, colon.line, colon.column) == ("ime-colon", 2, 13)
    assert colon.message_zh == "全角冒号“：”应为半角“:”"
    assert by_field["total_investmnt"].code == "unknown-field"
    assert "可选值" in (by_field["funding_source"].hint_zh or "")


def test_two_yaml_mistakes_in_a_project_are_both_reported(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("project_type： construction\nid: a\ntotal_investment:\u3000500万\n", encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    located = sorted((p.field, p.code, p.line, p.column) for p in info.value.problems)
    assert located == [("project_type", "ime-colon", 1, 13), ("total_investment", "ime-space", 3, 18)]


def test_a_project_without_mistakes_beside_the_yaml_one_reports_only_it(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: a\nproject_type： construction\n", encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    assert [p.code for p in info.value.problems] == ["ime-colon"]


def test_missing_project_file_is_not_a_bad_field(tmp_path: Path) -> None:
    code, out, err = run("evaluate", str(tmp_path / "nope.yaml"), "-j", "wuxing", "--as-of", "2026-06-01")
    assert code == 3 and out == ""
    assert "bad field" not in err and "(file)" not in err
    first = err.splitlines()[0]
    assert first.startswith(f"错误：无法使用项目文件 {tmp_path / 'nope.yaml'}")
    assert f"找不到项目文件 {tmp_path / 'nope.yaml'}" in err
    with pytest.raises(ProjectError) as info:
        read_project(tmp_path / "nope.yaml")
    assert "bad field" not in str(info.value)


# ---------------------------------------------------------------------------------------------
# The command line: Chinese first, English beside; --lang chooses


def test_cli_prints_chinese_first_then_english(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("project_type: operations\n", encoding="utf-8")
    code, _, err = run("evaluate", str(path), "-j", "wuxing", "--as-of", "2026-06-01")
    assert code == 3
    lines = err.splitlines()
    assert lines[0] == (f"错误：项目 {path} 有 1 处字段问题 error: the project in {path} has 1 bad field(s):")
    assert lines[1] == ("  project_type: 'operations' 不是“项目类型”（project_type）的可选值"
                        "（可选值：construction（建设项目）、operation_maintenance（运维项目））")
    assert lines[2].startswith("  project_type: 'operations' is not a value of project_type (one of: ")


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_zh_and_en_choose_one_language(tmp_path: Path, where: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: x\nproject_type： construction\n", encoding="utf-8")

    def argv(lang: str) -> list[str]:
        rest = ["evaluate", str(path), "-j", "wuxing"]
        return ["--lang", lang, *rest] if where == "before" else [*rest, "--lang", lang]

    code, _, zh = run(*argv("zh"))
    assert code == 3
    assert "project_type（第 2 行第 13 列）: 全角冒号“：”应为半角“:”" in zh
    assert "full-width" not in zh and "error:" not in zh
    code, _, en = run(*argv("en"))
    assert code == 3
    assert "project_type (line 2, column 13): full-width colon '：' where YAML needs ':'" in en
    assert not CJK.search(en.replace("：", ""))


def test_lint_shows_the_full_width_colon_at_its_line_in_both_languages(tmp_path: Path) -> None:
    pack, line = edited_wuxing(tmp_path, OUTCOME, "    outcome： supervision_required\n")
    code, out, _ = run("lint", str(tmp_path / "policies"))
    assert code == 1
    lines = out.splitlines()
    zh = [n for n, text in enumerate(lines) if text.endswith(f"construction.yaml:{line}:12: 全角冒号“：”应为半角“:”"
                                                             "（把“：”改成英文半角冒号“:”，冒号后留一个空格）")]
    assert len(zh) == 1
    assert lines[zh[0] + 1].endswith(f"construction.yaml:{line}:12: full-width colon '：' where YAML needs ':' "
                                     "(type the ASCII colon ':' followed by a space)")
    code, out, _ = run("lint", str(tmp_path / "policies"), "--lang", "zh")
    assert "full-width" not in out and "全角冒号" in out


def test_json_errors_carry_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("project_type： construction\n", encoding="utf-8")
    code, _, err = run("--error-format", "json", "evaluate", str(path), "-j", "wuxing")
    assert code == 3
    (problem,) = json.loads(err)["problems"]
    assert problem["code"] == "ime-colon" and (problem["line"], problem["column"]) == (1, 13)
    assert problem["message_zh"] == "全角冒号“：”应为半角“:”" and problem["message"].startswith("full-width colon")


def test_usage_errors_in_chinese_too() -> None:
    code, _, err = run("evaluate", str(EXAMPLE), "-j", "wuxin", "--as-of", "2026-06-01")
    assert code == 2
    assert err.startswith("错误：没有辖区 “wuxin” 的规则包；是否应为 “wuxing”？ error: no pack for jurisdiction")


def _actions(parser: argparse.ArgumentParser, name: str = "govrules"):  # type: ignore[no-untyped-def]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield name, choice
            for sub_name, sub in action.choices.items():
                yield from _actions(sub, sub_name)
        yield name, action


def test_every_help_text_is_chinese_then_english() -> None:
    parser = _parser()
    missing = [f"{name} {action.dest}: {action.help}" for name, action in _actions(parser)
               if not (action.help and CJK.search(action.help.split(" / ")[0])
                       and re.search(r"[a-z]", action.help.split(" / ", 1)[-1]) and " / " in action.help)]
    assert missing == []


def test_help_output_is_bilingual(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run("lint", "--help")
    assert code == 0
    assert out.startswith("用法 usage: govrules lint")
    assert "选项 options:" in out
    # The Chinese on its own line, the English under it, wrapped by terminal columns (a Chinese
    # character is two wide).
    assert "\n检查规则包，逐一报告每个载入问题及其位置\nreport every load-time problem of every pack, located\n" in out
    assert "  --lang {both,zh,en}   问题和错误信息的语言：" in out
    assert all(sum(2 if CJK.match(ch) or "\uff00" <= ch <= "\uffef" else 1 for ch in line) <= 80
               for line in out.splitlines() if not line.startswith(("用法", " " * 20 + "[")))
    code, out, _ = run("--help")
    assert "按规则包评估政府信息化项目" in out and "Evaluate government IT projects" in out


def test_every_bad_pack_problem_has_chinese_of_its_own() -> None:
    # The catalogue of broken packs (tests/data/bad_packs): each problem gets a Chinese message from
    # its own wording, not only its code's description, and a Chinese hint whenever it has a hint.
    from govrules.loading import load_packs
    from govrules.messages import CODE_ZH

    seen = 0
    for directory in sorted((ROOT / "tests" / "data" / "bad_packs").iterdir()):
        if not directory.is_dir():
            continue
        with pytest.raises(PackError) as info:
            load_packs([directory])
        for p in info.value.problems:
            seen += 1
            assert CJK.search(p.message_zh or ""), (directory.name, p.message)
            assert p.message_zh != CODE_ZH.get(p.code), (directory.name, p.message)
            assert p.hint is None or CJK.search(p.hint_zh or ""), (directory.name, p.hint)
    assert seen >= 25


@pytest.mark.parametrize(("message", "hint", "zh", "zh_hint"), [
    ("a 'fact' condition does not take 'x'", "write exactly one of: {all: […]}, {any: […]}",
     "“fact” 条件不接受键 “x”", "只写其中一种形式：{all: […]}、{any: […]}、{not: …}、{fact, op, value}、{fact, is}、{fact, in} 等"),
    ("only deadline rules have a deadline (this one is 'obligation')", None,
     "只有期限规则才有 deadline（本规则是 “obligation”）", None),
    ("the weights add up to 99, not 100", "weights are percentages of the total score",
     "权重合计为 99，而不是 100", "权重是总分的百分比"),
])
def test_condition_and_rule_messages_in_chinese(message: str, hint: str | None, zh: str, zh_hint: str | None) -> None:
    p = PackProblem(file="r.yaml", message=message, hint=hint)
    assert (p.message_zh, p.hint_zh) == (zh, zh_hint)


def test_an_unclosed_quote_in_a_project_is_reported_where_it_opens_with_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text('id: x\nname: "unclosed\ntotal_investment: 5\nproject_type: operations\n', encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    located = [(p.field, p.code, p.line, p.column) for p in info.value.problems]
    assert located == [("name", "syntax", 2, 7), ("project_type", "literal_error", None, None)]
    assert info.value.problems[0].message_zh == "YAML 语法错误：到文件末尾仍未闭合"
    assert info.value.problems[0].hint_zh == "此处开始的引号没有对应的结束引号"


def test_full_width_comma_between_the_keys_of_a_flow_mapping() -> None:
    text = "title: {zh: 甲，乙, en: x}\nwhen: {fact: budget_amount，op: 以上, value: 100万元}\n"
    with pytest.raises(YamlReadError) as info:
        read_yaml_text(text.encode("utf-8"), "r.yaml")
    # The comma inside the Chinese title is text; the one before "op:" separates two keys.
    assert [(p.code, p.line, p.column) for p in info.value.problems] == [("ime-comma", 2, 27)]
    assert info.value.problems[0].message_zh == "全角逗号“，”或顿号“、”应为半角逗号“,”"


@pytest.mark.parametrize(("argv", "zh", "en"), [
    (("evaluate",), "缺少必需的参数：project, --jurisdiction/-j", "the following arguments are required"),
    (("evaluate", "p.yaml", "-j", "wuxing", "--format", "xml"), "参数 --format 的值 “xml” 无效",
     "invalid choice: 'xml'"),
    (("lint", "--bogus"), "无法识别的参数：--bogus", "unrecognized arguments: --bogus"),
    (("evaluate", "p.yaml", "-j", "wuxing", "--as-of", "2026-13-01"), "不是日期，请写作 YYYY-MM-DD",
     "is not a date"),
    (("evalute",), "参数 COMMAND 的值 “evalute” 无效", "invalid choice: 'evalute'"),
])
def test_a_command_line_argparse_cannot_parse_is_told_in_chinese_then_english(argv: tuple[str, ...], zh: str,
                                                                                en: str) -> None:
    code, _, err = run(*argv)
    assert code == 2
    lines = [line for line in err.splitlines() if "错误：" in line or "error:" in line]
    assert len(lines) == 2 and "错误：" in lines[0] and zh in lines[0], err
    assert "error:" in lines[1] and en in lines[1], err
    assert "Traceback" not in err
