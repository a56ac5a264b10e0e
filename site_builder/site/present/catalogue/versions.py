"""Text catalogue: Earlier versions of a corrected notice: banners, the correction history,
what changed.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # earlier versions of a corrected notice
    "version.title": ("{title}（第 {n} 版）", "{title} (version {n})"),
    "version.banner": (
        "此为第 {n} 版，已于 {date} 更正，请以现行版本为准。",
        "This is version {n}; it was corrected on {date}. The current version stands.",
    ),
    "version.banner_undated": (
        "此为第 {n} 版，已被更正，请以现行版本为准。",
        "This is version {n}; it has been corrected. The current version stands.",
    ),
    "version.banner_notice": (
        "此为第 {n} 版（公示），已于 {date} 正式通报，请以现行版本为准。",
        "This is version {n}, the public notice; the final notice was published on {date}. The current version stands.",
    ),
    "change.items": (
        "第 {n} 版与第 {next} 版相比，通报内容的其他变化",
        "Other changes to the notice from version {n} to version {next}",
    ),
    "version.current_link": ("查看现行版本", "Current version"),
    "version.changes": (
        "第 {n} 版与第 {next} 版相比的变化",
        "Changes from version {n} to version {next}",
    ),
    "version.no_figures_changed": (
        "第 {n} 版与第 {next} 版的得分、名次和评优结果相同（更正的是通报文字）。",
        "Versions {n} and {next} have the same figures, places and honours (the correction changed the notice's text).",
    ),
    "version.unit_unchanged": (
        "本次更正未改变本单位的得分、名次和评优结果。",
        "The correction changed none of this unit's figures, places or honours.",
    ),
    "change.status": ("考核状态", "Status"),
    "change.place": ("第 {n} 名", "#{n}"),
    "change.unranked": ("未排名", "not ranked"),
    "change.honour_gained": ("新列入“{name}”", "now listed: “{name}”"),
    "change.honour_lost": ("不再列入“{name}”", "no longer listed: “{name}”"),
    "change.veto_gained": ("新增一票否决（{name}）", "veto added ({name})"),
    "change.veto_lost": ("撤销一票否决（{name}）", "veto withdrawn ({name})"),
    "change.computed": (
        "以下由程序比对更正前后两个版本的公布结果得出，包括因此变化的其他单位的名次。",
        "Worked out by comparing the published results before and after, including other units whose places moved.",
    ),
    "correction.title": ("{notice}（第 {n} 次更正说明）", "{notice} (correction {n})"),
    "correction.reason": ("更正原因", "Reason"),
    "correction.changes": ("更正内容", "What changed"),
    "correction.none": (
        "未登记具体更正内容，比对更正前后的公布结果也没有发现得分、名次或评优结果的变化（更正的可能是通报文字）。",
        "No itemised changes were recorded, and comparing the results before and after shows no change in figures, places or honours (the correction may concern the notice's text).",
    ),
    "correction.note": (
        "下表列出更正前公布的数值（原值）和更正后的数值；其余内容与现行通报一致。",
        "The table lists the values first published (old) and the corrected values; everything else is as in the current notice.",
    ),
    "col.group": ("组别", "Group"),
    "col.rank": ("名次", "Rank"),
    "col.unit_id": ("单位标识", "Unit id"),
    "col.unit": ("单位", "Unit"),
    "col.total": ("总分", "Total"),
    "col.coefficient": ("系数", "Coefficient"),
    "col.marks": ("表彰/处理", "Honours/sanctions"),
    "col.remark": ("说明", "Remark"),
    "col.reason": ("原因", "Reason"),
    "col.item": ("指标", "Line"),
    "col.old": ("原值", "Old"),
    "col.new": ("更正后", "New"),
    "col.date": ("日期", "Date"),
    "col.veto": ("否决事项", "Veto"),
    "col.period": ("考核期", "Period"),
    "col.change": ("名次变化", "Change"),
    "col.cumulative": ("累计得分", "Cumulative"),
    "col.running": ("{what}（{first}至{last}）", "{what} ({first} to {last})"),
    "running.year": ("年度累计得分", "Cumulative total of the year"),
    "running.stage": ("阶段累计得分", "Cumulative total of the stage"),
    "running.scheme": ("累计得分", "Cumulative total"),
    "running.note": (
        "“{ranking}”按{first}至{last}各期总分之和排名。",
        "“{ranking}” ranks by the sum of the period totals from {first} to {last}.",
    ),
    "col.running_one": ("{what}（{last}）", "{what} ({last})"),
    "running.note_one": (
        "“{ranking}”按{last}的总分排名（累计自本期开始）。",
        "“{ranking}” ranks by the total of {last} (the sum starts with this period).",
    ),
    "notice.honour_pending": ("{name}：{when}", "{name}: {when}"),
    "notice.in_category": ("{name}（{category}）", "{name} ({category})"),
    "col.value": ("得分", "Score"),
}
