"""Text catalogue: The notice page: its details, how places were computed, streaks, and the
official form (主送, 附件, 落款, 成文日期).
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # notice
    "notice.meta": ("文件信息", "Document details"),
    "notice.issuer": ("发布机关", "Issued by"),
    "notice.number": ("文号", "Reference"),
    "notice.date": ("发布日期", "Date"),
    "notice.index": ("索引号", "Index number"),
    "notice.scheme": ("考核依据", "Scheme"),
    "notice.period": ("考核期", "Period"),
    "notice.kind": ("类别", "Type"),
    "notice.results": ("考核结果", "Results"),
    "notice.group": ("{name}", "{name}"),
    "notice.ranking_caption": (
        "{group}{ranking}（满分 {max} 分）",
        "{group}: {ranking} (out of {max})",
    ),
    "notice.unranked": ("未参加排名的单位", "Units not ranked"),
    "notice.honours": ("表彰与整改", "Honours and sanctions"),
    "notice.honour_chosen": ("{name}：{units}", "{name}: {units}"),
    "notice.honour_none": ("{name}：无", "{name}: none"),
    "notice.honour_excluded": ("{unit}未列入，原因：{reason}", "{unit} not included: {reason}"),
    # how the places were computed (ranking engine: select.share, select.quota) and streaks (streak: true)
    "notice.ranked_by_running": (
        "{note}本表“总分”为本期得分，名次依据的累计得分见下方“{ranking}”表。",
        "{note} “Total” in this table is the period's; the cumulative figures the places rank by are in “{ranking}” below.",
    ),
    "notice.places_share": (
        "名额按{scope}单位数的{pct}%确定：{scope}共{n}个单位，{n} × {pct}% = {product}，取{k}名",
        "Places: {pct}% of the units of {scope}: {n} units, {n} × {pct}% = {product}, so {k}",
    ),
    "notice.places_share_rounded": (
        "名额按{scope}单位数的{pct}%确定：{scope}共{n}个单位，{n} × {pct}% = {product}，{rounding}取{k}名",
        "Places: {pct}% of the units of {scope}: {n} units, {n} × {pct}% = {product}, {rounding} to {k}",
    ),
    "notice.places_tie_included": ("；名额末位并列的一并入选，共{m}名", "; tied at the last place, all are included: {m} in all"),
    "notice.places_scope.group": ("本组", "the group"),
    "notice.places_scope.category": ("本类别", "the category"),
    "notice.places_rounding.floor": ("向下取整，", "rounded down"),
    "notice.places_rounding.half_up": ("四舍五入，", "rounded half up"),
    "notice.places_rounding.ceil": ("向上取整，", "rounded up"),
    "notice.places_quota": ("名额按单位类别分配：{items}", "Places per category of unit: {items}"),
    "notice.places_quota_item": ("{category}{n}个", "{category} {n}"),
    "notice.places_quota_sep": ("；", "; "),
    "notice.streak.week": ("连续{n}周获得", "{n} weeks running"),
    "notice.streak.month": ("连续{n}个月获得", "{n} months running"),
    "notice.streak.quarter": ("连续{n}个季度获得", "{n} quarters running"),
    "notice.streak.half-year": ("连续{n}个半年度获得", "{n} half-years running"),
    "notice.streak.year": ("连续{n}年获得", "{n} years running"),
    "notice.streak.stage": ("连续{n}个阶段获得", "{n} stages running"),
    "notice.vetoes": ("否决事项", "Vetoes"),  # a mix of consequences; one alone is headed by its name
    "notice.window": ("公示期", "Public notice period"),
    "notice.window_text": ("{start}至{until}", "{start} to {until}"),
    "notice.working_days": ("（{n} 个工作日）", " ({n} working days)"),
    "notice.objection": (
        "如对公示结果有异议，请在公示期内以书面或电话方式向下列机构反映，并提供具体事实和联系方式。",
        "If you object to these results, contact the office below within the notice period, in writing or by phone, with the facts.",
    ),
    "notice.contact": ("异议受理", "Objections"),
    "notice.contact.office": ("受理机构", "Office"),
    "notice.contact.phone": ("电话", "Phone"),
    "notice.contact.email": ("电子邮箱", "E-mail"),
    "notice.contact.address": ("地址", "Address"),
    # the official form (GB/T 9704): 主送, 附件 list, 落款 and 成文日期, the address on paper
    "notice.addressee": ("主送", "To"),
    "notice.attachments": ("附件", "Attachments"),
    "notice.attachment.table": ("{group}考核结果", "Results: {group}"),
    "notice.attachment.csv": ("考核结果表（CSV 格式，Excel 可打开）", "Results table (CSV, opens in Excel)"),
    "notice.attachment.xlsx": ("考核结果表（Excel 工作簿）", "Results table (Excel workbook)"),
    "notice.attachment.json": ("考核结果数据（JSON 格式）", "Results data (JSON)"),
    "notice.signoff": ("落款", "Issued by"),
    "notice.written": ("成文日期", "Date of issue"),
    "notice.print_address": ("本页网址：{address}", "This page: {address}"),
    "notice.print_path": ("本页在本网站中的路径：{address}", "This page within the site: {address}"),
    "notice.downloads": ("下载本表", "Download this table"),
    "notice.download.csv": ("CSV 表格（Excel 可打开）", "CSV (opens in Excel)"),
    "notice.download.xlsx": ("Excel 工作簿（XLSX）", "Excel workbook (XLSX)"),
    "notice.download.json": ("JSON 数据", "JSON data"),
    "notice.download.yaml": ("考核办法源文件（YAML）", "Scheme source (YAML)"),
    "notice.download.lines": ("各单位各项指标得分（CSV，长表）", "Points of every line for every unit (CSV, long form)"),
    "notice.download.rankings": ("全部排名（CSV，含累计、阶段排名）", "Every ranking (CSV, running totals included)"),
    "notice.download.honours": ("表彰、处理、等次和否决情况（CSV）", "Honours, sanctions, levels and vetoes (CSV)"),
    "notice.download.dictionary": ("各文件、各列的含义见数据说明。", "What every file and column means: see the data dictionary."),
}
