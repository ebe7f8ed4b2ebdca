"""Validation errors that name every problem with its path, so nothing half-loads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from .scheme import RULE_KINDS

# Every message the engine gives, in Chinese (the default) and English: the engine stays free of
# Django, so its messages are a table keyed by language rather than gettext msgids.
MESSAGES: dict[str, tuple[str, str]] = {
    # files and the command line
    "no_file": ("没有这个文件", "no such file"),
    "no_scheme": (
        "没有这个文件,也没有这个内置方案(内置:{known})",
        "no such file or built-in scheme (built-in: {known})",
    ),
    "not_yaml": ("不是有效的 YAML:{error}", "not valid YAML: {error}"),
    "not_mapping": ("方案须是由各项设置组成的映射", "a scheme must be a mapping of settings"),
    "not_month": (
        "“{part}”不是月份,也不是 1-6 这样的月份范围",
        "'{part}' is not a month or range like 1-6",
    ),
    "month_range": ("月份须在 1 到 12 之间", "months run from 1 to 12"),
    "no_unit": ("考核数据中没有单位“{unit}”", "no unit '{unit}' in the facts"),
    # scheme files
    "duplicate_key": ("键“{key}”重复", "duplicate key '{key}'"),
    "unknown_rubric": ("未知的细则“{rubric}”", "unknown rubric '{rubric}'"),
    "weights_required": (
        "method 为 weighted 时须给出各月权重",
        "required when method is 'weighted'",
    ),
    "weights_zero": ("各月权重不能全为 0", "must not all be 0"),
    "general_fault_points": ("一般过错须扣分", "a general fault must deduct points"),
    "duplicate_item": ("项目编号“{number}”重复", "duplicate item number '{number}'"),
    "duplicate_section": ("板块键“{key}”重复", "duplicate section key '{key}'"),
    "section_sum": (
        "各板块权重合计 {total},不等于总分 {expected}",
        "weights sum to {total}, not the total {expected}",
    ),
    "item_sum": (
        "各项权重合计 {total},不等于板块分值 {expected}",
        "weights sum to {total}, not the section's {expected}",
    ),
    "item_sum_kind": (
        "“{kind}”类单位的各项权重合计 {total},不等于板块分值 {expected}",
        "weights for kind '{kind}' sum to {total}, not the section's {expected}",
    ),
    "unknown_kind_rubric": (
        "本细则没有单位类型“{kind}”",
        "unknown unit kind '{kind}' for this rubric",
    ),
    "department_twice": ("部门“{department}”出现两次", "'{department}' named twice"),
    "unknown_department": ("未知的部门“{department}”", "unknown department '{department}'"),
    "share_sum": (
        "各部门分值合计 {total},不等于权重 {expected}",
        "shares sum to {total}, not the weight {expected}",
    ),
    "bonus_needed": (
        "超额加分须设为加分项",
        "over-target points need a bonus item (加分项)",
    ),
    "over_points": ("设了超额上限时,每超一次的加分须大于 0", "must be > 0 when over_cap is set"),
    "bonus_target_only": (
        "只有目标数量类项目可以超过权重得分",
        "only a target_count item can score beyond its weight",
    ),
    "circular_rubric": (
        "未知的或循环引用的细则“{rubric}”",
        "unknown or circular rubric '{rubric}'",
    ),
    "nested_rubric": ("子细则不能再嵌套子细则", "a sub-rubric may not nest another"),
    "duplicate_check": ("检查项“{key}”重复", "duplicate check '{key}'"),
    "group_weights": (
        "类别“{category}”的各评价群体权重合计 {total},不等于 1",
        "weights for category '{category}' sum to {total}, not 1",
    ),
    "unknown_category": ("未知的类别“{category}”", "unknown category '{category}'"),
    # facts
    "other_year": (
        "考核数据是 {facts} 年的,方案是 {scheme} 年的",
        "facts are for {facts}, the scheme for {scheme}",
    ),
    "month_twice": ("{month}月列出了两次", "month {month} listed twice"),
    "duplicate_unit": ("单位编号“{unit}”重复", "duplicate unit id '{unit}'"),
    "kind_one_of": (
        "“{category}”类单位的类型须是 {kinds} 之一",
        "must be one of {kinds} for '{category}'",
    ),
    "no_kinds": ("类别“{category}”不分单位类型", "category '{category}' has no kinds"),
    "unknown_unit": ("未知的单位“{unit}”", "unknown unit '{unit}'"),
    "no_item_in_month": (
        "{month}月({version})没有适用于单位“{unit}”的第{number}项",
        "no item '{number}' applies to unit '{unit}' in month {month} ({version})",
    ),
    "no_item": (
        "没有适用于单位“{unit}”的第{number}项",
        "no item '{number}' applies to unit '{unit}'",
    ),
    "no_target": ("第{number}项不设目标数", "item '{number}' takes no target"),
    "second_target": (
        "单位“{unit}”第{number}项的目标数重复",
        "a second target for unit '{unit}', item '{number}'",
    ),
    "schedule_decreasing": ("累计进度数不能减少", "cumulative numbers must not decrease"),
    "month_not_assessed": (
        "{month}月不在考核月份之内",
        "month {month} is not among the months assessed",
    ),
    "unknown_award": ("未知的业绩类型“{award}”", "unknown award type '{award}'"),
    "unknown_level": (
        "“{level}”不是“{award}”的等级({levels})",
        "'{level}' is not a level of '{award}' ({levels})",
    ),
    "unknown_fault": ("未知的过错类型“{fault}”", "unknown fault type '{fault}'"),
    "tallied_twice": ("“{key}”统计了两次", "'{key}' tallied twice"),
    "unknown_group": ("未知的评价群体“{group}”", "unknown rater group '{group}'"),
    "unknown_option": ("未知的评价选项", "unknown option"),
    "jointly_scored": (
        "第{number}项由多个部门共同评分,须写明是哪个部门的分值",
        "item '{number}' is scored jointly; name the share",
    ),
    "not_scoring_department": (
        "部门“{department}”不评第{number}项",
        "'{department}' does not score item '{number}'",
    ),
    "own_unit": (
        "部门“{department}”不能给本部门所在单位评分",
        "'{department}' may not score its own unit",
    ),
    "sub_item_required": (
        "须指明子细则“{rubric}”中的一项",
        "name an item of sub-rubric '{rubric}'",
    ),
    "no_sub_rubric": ("第{number}项没有子细则", "item '{number}' has no sub-rubric"),
    "field_required": ("“{kind_zh}”类项目须填写{field_zh}", "required for a {kind} item"),
    "field_unused": ("“{kind_zh}”类项目不填写{field_zh}", "not used by a {kind} item"),
    "unknown_check": ("第{number}项没有检查项“{check}”", "unknown check of item '{number}'"),
    "check_once": ("“{check}”只能记一次或不记", "occurs once or not at all"),
    "check_at_most": ("“{check}”最多记{n}次", "at most {n}"),
    "deduction_at_most": ("扣分最多为权重 {weight} 分", "at most the weight {weight}"),
    "reason_required": ("酌情扣分须写明理由", "a discretionary deduction needs a reason"),
    # versions of a scheme within the year (第五条)
    "first_version": (
        "年度的第一个方案即第1版,不写版本信息",
        "the year's first scheme is version 1 and names no version",
    ),
    "version_needed": (
        "后续版本须写明版本号、起始月份和理由",
        "a later version needs number, from_month, reason",
    ),
    "other_name": ("“{name}”不是本年度的方案“{base}”", "'{name}' is not the year's '{base}'"),
    "other_scheme_year": ("{year} 不是本年度 {base}", "{year} is not the year's {base}"),
    "same_categories": (
        "须与本年度的类别相同(包括细则和单位类型)",
        "must be the year's (with rubrics and kinds)",
    ),
    "same_departments": ("须与本年度的部门相同", "must be the year's departments"),
    "version_number": ("版本号应为 {expected},而不是 {got}", "expected {expected}, not {got}"),
    "from_month_order": (
        "起始月份须在 {month} 月(上一版本的起始月份)之后",
        "must be after month {month} (the previous version's)",
    ),
    "full_marks": (
        "满分变为 {new},原为 {old};月度总分为 fixed 时不得改变",
        "full marks {new}, not {old}; month_total 'fixed' allows no change",
    ),
    "full_marks_kind": (
        "“{kind}”类单位的满分变为 {new},原为 {old};月度总分为 fixed 时不得改变",
        "full marks for kind '{kind}' {new}, not {old}; month_total 'fixed' allows no change",
    ),
}

KIND_NAMES = {
    "checks": "检查项",
    "per_count": "按次扣分",
    "target_count": "目标数量",
    "all_or_nothing": "完成与否",
    "discretionary": "酌情扣分",
    "sub_rubric": "子细则",
}
FIELD_NAMES = {"checks": "检查项", "count": "数量", "met": "是否完成", "deduction": "扣分"}


def language(lang: str | None) -> str:
    """ "en" for any English language code ("en", "en-us", "en_GB.UTF-8"), else "zh"."""
    return "en" if (lang or "").lower().startswith("en") else "zh"


class Problem(str):
    """One problem found in a file: where (its path, e.g. ``findings[3].checks.no_plan``) and
    what, from the message table. As a string it is the path and the Chinese message;
    ``text("en")`` gives it in English, and ``message(lang)`` without the path — for a web
    form, where the file's path means nothing to the person typing."""

    path: str
    code: str
    values: dict[str, object]

    def __new__(cls, path: str, code: str, /, **values: object) -> Problem:
        self = super().__new__(cls, _join(path, MESSAGES[code][0].format(**values), "zh"))
        self.path, self.code, self.values = path, code, values
        return self

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _problem, (self.path, self.code, self.values)

    def message(self, lang: str | None = "zh") -> str:
        return MESSAGES[self.code][language(lang) == "en"].format(**self.values)

    def text(self, lang: str | None = "zh") -> str:
        return _join(self.path, self.message(lang), language(lang))


def _problem(path: str, code: str, values: dict[str, object]) -> Problem:
    return Problem(path, code, **values)


def _join(path: str, message: str, lang: str) -> str:
    if not path:
        return message
    return f"{path}: {message}" if lang == "en" else f"{path}:{message}"


def say(error: str, lang: str | None) -> str:
    """An error in the language asked for: a Problem translated, any other string as it is."""
    return error.text(lang) if isinstance(error, Problem) else error


class InputError(ValueError):
    """A scheme or facts file that failed validation; ``errors`` lists ``path: message``
    (``Problem``s, in Chinese as strings)."""

    def __init__(self, source: str, errors: Sequence[str]) -> None:
        self.source = source
        self.errors = list(errors)
        super().__init__(f"{source}:{len(self.errors)}个错误\n" + "\n".join(self.errors))


def format_path(loc: Iterable[int | str]) -> str:
    """('rubrics', 0, 'items', 5, 'rule', 'target_count', 'over_cap') → rubrics[0].items[5]...;
    the union tag pydantic inserts after ``rule`` is dropped."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not (previous == "rule" and part in RULE_KINDS):
            out += f".{part}" if out else part
        previous = part
    return out or "(top)"


# pydantic's own messages are English; the common ones in Chinese, the rest as pydantic words them
PYDANTIC_ZH = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的设置",
    "greater_than_equal": "须大于或等于 {ge}",
    "greater_than": "须大于 {gt}",
    "less_than_equal": "须小于或等于 {le}",
    "less_than": "须小于 {lt}",
    "too_short": "至少须有 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "int_parsing": "须是整数",
    "int_type": "须是整数",
    "int_from_float": "须是整数",
    "decimal_parsing": "须是数字",
    "decimal_type": "须是数字",
    "float_parsing": "须是数字",
    "float_type": "须是数字",
    "decimal_max_places": "小数最多 {decimal_places} 位",
    "decimal_max_digits": "最多 {max_digits} 位数字",
    "bool_parsing": "须是 true 或 false",
    "bool_type": "须是 true 或 false",
    "string_type": "须是文字",
    "list_type": "须是列表",
    "dict_type": "须是映射",
    "model_type": "须是映射",
    "model_attributes_type": "须是映射",
    "literal_error": "须是 {expected} 之一",
    "string_pattern_mismatch": "格式不符(须符合 {pattern})",
    "union_tag_invalid": "未知的类型“{tag}”,须是 {expected_tags} 之一",
    "union_tag_not_found": "须写明类型(kind)",
    "finite_number": "须是有限的数",
}
MESSAGES["raw"] = ("{zh}", "{en}")


def pydantic_text(error: Any, lang: str | None = "zh") -> str:
    """One pydantic error's message (without its path) in the language asked for."""
    template = PYDANTIC_ZH.get(error["type"])
    if language(lang) == "en" or template is None:
        return str(error["msg"])
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return str(error["msg"])


def pydantic_messages(error: ValidationError) -> list[str]:
    return [
        Problem(format_path(e["loc"]), "raw", zh=pydantic_text(e), en=str(e["msg"]))
        for e in error.errors()
    ]


def duplicates(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated
