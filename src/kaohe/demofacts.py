"""A realistic synthetic assessment year, so every part of the engine is exercised.

Default: a district of 13 streets and 47 district units (both kinds), twelve months of
findings, responsibility-letter targets, achievements (one over the cap, one content
declared twice), faults (one undeclared and doubled, one veto), ballots (one group short).
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from .engine.facts import Facts
from .engine.scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    Item,
    PerCountRule,
    Scheme,
    SubRubricRule,
    TargetCountRule,
)

STREETS = [
    "东城",
    "西城",
    "南湖",
    "北关",
    "新华",
    "解放",
    "人民",
    "和平",
    "建设",
    "胜利",
    "光明",
    "文化",
    "朝阳",
]
ORGANS = [
    "发改局",
    "财政局",
    "教育局",
    "民政局",
    "人社局",
    "住建局",
    "交通局",
    "水利局",
    "农业局",
    "商务局",
    "文广局",
    "卫计局",
    "审计局",
    "统计局",
    "安监局",
    "城管局",
    "司法局",
    "信访局",
    "档案局",
    "科技局",
    "环保局",
    "国土分局",
    "房管局",
    "物价局",
    "粮食局",
    "体育局",
    "旅游局",
    "林业局",
    "外侨办",
    "法制办",
    "机关事务局",
    "供销社",
    "妇联",
    "团区委",
    "工商联",
    "科协",
    "残联",
    "红十字会",
    "总工会",
]
AFFILIATED = [
    "公安分局",
    "法院",
    "检察院",
    "区人民医院",
    "区第一中学",
    "区实验中学",
    "区职教中心",
    "区投资公司",
]
SURNAMES = list("王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高")
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "志强",
    "海燕",
    "国庆",
    "文博",
]
REASONS = {
    "checks": "查阅{item}资料发现:{label}",
    "per_count": "实地核查:{count}{counted}未达要求",
    "all_or_nothing": "核查{item}未完成目标",
    "discretionary": "座谈了解,工作推进不够扎实,酌情扣分",
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _unit_name(category: str, index: int, kind: str) -> str:
    if category == "street":
        base = STREETS[index % len(STREETS)]
        suffix = "" if index < len(STREETS) else str(index // len(STREETS) + 1)
        return f"{base}{suffix}街道党工委"
    pool = ORGANS if kind == "organ" else AFFILIATED
    base = pool[index % len(pool)]
    suffix = "" if index < len(pool) else str(index // len(pool) + 1)
    return f"区{base}{suffix}机关党委" if kind == "organ" else f"{base}{suffix}党委"


def make_units(rng: random.Random, count: int) -> list[dict[str, Any]]:
    streets = max(1, round(count * 13 / 60))
    district = max(0, count - streets)
    affiliated = max(1, round(district * 8 / 47)) if district > 1 else 0
    units: list[dict[str, Any]] = []
    width = len(str(count))
    for i in range(streets):
        units.append(
            {"id": f"S{i + 1:0{width}d}", "name": _unit_name("street", i, ""), "category": "street"}
        )
    for i in range(district):
        kind = "affiliated" if i >= district - affiliated else "organ"
        index = i if kind == "organ" else i - (district - affiliated)
        units.append(
            {
                "id": f"D{i + 1:0{width}d}",
                "name": _unit_name("district", index, kind),
                "category": "district",
                "kind": kind,
            }
        )
    for unit in units:
        unit["secretary"] = _name(rng)
        unit["leaders"] = [_name(rng) for _ in range(rng.randint(1, 2))]
    return units


def _finding(rng: random.Random, item: Item, weight: Decimal) -> dict[str, Any] | None:
    rule = item.rule
    if isinstance(rule, ChecksRule):
        check = rng.choice(rule.checks)
        n = rng.randint(1, check.max_occurrences or 4) if check.per_occurrence else 1
        return {
            "checks": {check.key: n},
            "reason": REASONS["checks"].format(item=f"第{item.number}项", label=check.label),
        }
    if isinstance(rule, PerCountRule):
        n = rng.randint(1, 2)
        return {"count": n, "reason": REASONS["per_count"].format(count=n, counted=rule.counted)}
    if isinstance(rule, AllOrNothingRule):
        return {"met": False, "reason": REASONS["all_or_nothing"].format(item=f"第{item.number}项")}
    if isinstance(rule, DiscretionaryRule):
        points = min(weight, Decimal(rng.choice(["0.5", "1", "1.5", "2"])))
        return {"deduction": str(points), "reason": REASONS["discretionary"]}
    return None


def demo_facts(scheme: Scheme, units: int = 60, seed: int = 2014) -> dict[str, Any]:
    """Facts for a whole year as plain data (the facts file's JSON shape)."""
    rng = random.Random(seed)
    unit_rows = make_units(rng, units)
    quality = {u["id"]: rng.random() for u in unit_rows}
    # two laggards per category, so escalations happen
    for category in ("street", "district"):
        for u in [u for u in unit_rows if u["category"] == category][1:3]:
            quality[u["id"]] = -0.6
    rubric_of = {c.key: {r.key: r for r in scheme.rubrics}[c.rubric] for c in scheme.categories}
    sub_rubrics = {r.key: r for r in scheme.rubrics}
    targets: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    streets = [u for u in unit_rows if u["category"] == "street"]
    district_total = 88 * len(streets) // 13 if len(streets) >= 13 else 7 * len(streets)
    for i, u in enumerate(streets):
        quota = district_total // len(streets) + (1 if i < district_total % len(streets) else 0)
        targets.append({"unit": u["id"], "item": "6", "target": quota})
    for u in unit_rows:
        targets.append({"unit": u["id"], "item": "19", "target": rng.randint(2, 4)})
    target_of = {(t["unit"], t["item"]): t["target"] for t in targets}
    assessor = {d.key: f"{d.name}考核员" for d in scheme.departments}
    for month in range(1, 13):
        at = f"2014-{month + 1:02d}-0{rng.randint(3, 9)}" if month < 12 else "2015-01-05"
        for u in unit_rows:
            q = quality[u["id"]]
            rubric = rubric_of[u["category"]]
            for item in rubric.items():
                if not item.applies_to(u.get("kind", "")):
                    continue
                rule = item.rule
                base = {"month": month, "unit": u["id"], "item": item.number, "at": at}
                if isinstance(rule, TargetCountRule):
                    annual = target_of.get((u["id"], item.number), 0)
                    pace = annual / 12 * (1.4 * q + 0.35)
                    n = max(0, round(pace + rng.uniform(-0.6, 0.6)))
                    if n:
                        dep = item.departments[0].department
                        findings.append(
                            {
                                **base,
                                "department": dep,
                                "count": n,
                                "reason": f"本月完成{n}{rule.counted}(见有关文件)",
                                "by": assessor[dep],
                            }
                        )
                    continue
                for share in item.departments:
                    if rng.random() > 0.05 + 0.10 * (1 - q):
                        continue
                    target_item, weight = item, share.points
                    extra: dict[str, Any] = {}
                    if isinstance(rule, SubRubricRule):
                        sub = rng.choice(sub_rubrics[rule.rubric].items())
                        target_item, weight = sub, sub.weight
                        extra["sub_item"] = sub.number
                    finding = _finding(rng, target_item, weight)
                    if finding:
                        dep = share.department
                        findings.append(
                            {
                                **base,
                                **extra,
                                **finding,
                                "department": dep,
                                "by": assessor[dep],
                                "evidence": f"{month}月考核记录",
                            }
                        )
    for n, f in enumerate(findings, start=1):
        f["id"] = f"F{n}"
    return {
        "year": scheme.year,
        "units": unit_rows,
        "targets": targets,
        "findings": findings,
        "achievements": _achievements(rng, unit_rows),
        "faults": _faults(rng, unit_rows),
        "recognition": _recognition(rng, scheme, unit_rows, quality),
    }


def _achievements(rng: random.Random, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    options = [
        ("innovation", "major"),
        ("innovation", "ordinary"),
        ("commendation", "municipal"),
        ("commendation", "provincial"),
        ("experience", "municipal"),
        ("instruction", "municipal"),
        ("inspection", "provincial"),
    ]
    for u in units:
        if rng.random() < 0.3:
            for k in range(rng.randint(1, 2)):
                award, level = rng.choice(options)
                rows.append(
                    {
                        "unit": u["id"],
                        "award": award,
                        "level": level,
                        "content": f"{u['id']}-c{k}",
                        "document": f"区组发〔2014〕{rng.randint(1, 90)}号",
                        "description": "组织工作经验做法",
                    }
                )
    first, second = units[0]["id"], units[min(3, len(units) - 1)]["id"]
    # the same content recognised twice: only the higher award counts
    rows.append(
        {
            "unit": first,
            "award": "commendation",
            "level": "municipal",
            "content": "红色覆盖",
            "document": "市组发〔2014〕12号",
            "description": "“红色覆盖”工作受市委组织部表彰",
        }
    )
    rows.append(
        {
            "unit": first,
            "award": "experience",
            "level": "provincial",
            "content": "红色覆盖",
            "document": "省组通〔2014〕3号",
            "description": "“红色覆盖”经验在全省交流",
        }
    )
    # over the 50-point cap
    for k, (award, level) in enumerate(
        [("commendation", "national"), ("innovation", "major"), ("instruction", "provincial")]
    ):
        rows.append(
            {
                "unit": second,
                "award": award,
                "level": level,
                "content": f"cap-{k}",
                "document": f"文件{k + 1}",
                "description": "多项业绩",
            }
        )
    for n, row in enumerate(rows, start=1):
        row["id"] = f"A{n}"
    return rows


def _faults(rng: random.Random, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    general = [
        "report_late",
        "meeting_absent",
        "meeting_late",
        "task_late",
        "circular_district",
        "dues_irregular",
        "media_district",
    ]
    rows: list[dict[str, Any]] = []
    for u in units:
        if rng.random() < 0.2:
            rows.append(
                {
                    "unit": u["id"],
                    "type": rng.choice(general),
                    "occurrences": rng.randint(1, 2),
                    "declared": True,
                    "description": "单位自查上报",
                }
            )
    district = [u for u in units if u["category"] == "district"] or units
    rows.append(
        {
            "unit": units[-1]["id"],
            "type": "report_late",
            "occurrences": 2,
            "declared": False,
            "description": "未上报,经区委组织部查实迟报组工信息",
        }
    )
    rows.append(
        {
            "unit": district[len(district) // 2]["id"],
            "type": "cadre_selection",
            "declared": False,
            "description": "违规提拔干部,被市委组织部通报",
        }
    )
    for n, row in enumerate(rows, start=1):
        row["id"] = f"X{n}"
    return rows


def _recognition(
    rng: random.Random, scheme: Scheme, units: list[dict[str, Any]], quality: dict[str, float]
) -> list[dict[str, Any]]:
    sizes = {"leaders": (8, 12), "departments": (10, 20), "served": (20, 40)}
    rows: list[dict[str, Any]] = []
    short = units[min(5, len(units) - 1)]["id"]
    for u in units:
        q = max(0.05, quality[u["id"]])
        for group in scheme.recognition.groups:
            low, high = sizes.get(group.key, (8, 16))
            n = 3 if (u["id"] == short and group.key == "leaders") else rng.randint(low, high)
            counts = {"满意": 0, "基本满意": 0, "不满意": 0, "弃权": 0}
            for _ in range(n):
                x = rng.random()
                option = (
                    "满意"
                    if x < 0.45 + 0.45 * q
                    else "基本满意"
                    if x < 0.93
                    else "不满意"
                    if x < 0.98
                    else "弃权"
                )
                counts[option] += 1
            rows.append(
                {
                    "unit": u["id"],
                    "group": group.key,
                    "counts": {k: v for k, v in counts.items() if v},
                }
            )
    return rows


def demo_year(scheme: Scheme, units: int = 60, seed: int = 2014) -> Facts:
    return Facts.model_validate(demo_facts(scheme, units, seed))
