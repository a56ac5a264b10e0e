"""What ``site-builder build`` reports: pages, files, the files kept from the last build, the date the
notices were judged by, and the notices held back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.site.output import fingerprint


@dataclass(frozen=True)
class BuildReport:
    out: Path
    pages: int  # HTML pages
    files: int  # every file written, downloads and assets included
    bytes: int
    seconds: float
    as_of: dt.date
    warnings: tuple[str, ...] = field(default=())
    locale: str = "zh-CN"
    embargoed: tuple[str, ...] = field(default=())  # period files of notices dated after as_of
    as_of_from: str = "option"  # option (--as-of) | epoch (SOURCE_DATE_EPOCH) | today (Beijing time)
    unchanged: bool = False  # nothing changed since the last build of ``out``: nothing written
    reused: int = 0  # files whose inputs did not change: taken over from the last build, not made again

    def __str__(self) -> str:
        mb = self.bytes / 1e6
        day = self.as_of.isoformat()
        if self.unchanged:
            return fingerprint.unchanged_text(self.locale, self.out, self.pages, self.files, mb,
                                              self.seconds, day)
        if self.locale == "en":
            held = (
                f" {len(self.embargoed)} notice(s) dated after {day} not published yet: "
                f"{', '.join(self.embargoed)}."
                if self.embargoed
                else ""
            )
            source = {
                "option": "Beijing time, from --as-of",
                "epoch": "Beijing time, from SOURCE_DATE_EPOCH",
                "today": "today in Beijing",
            }[self.as_of_from]
            kept = f", {self.reused} of them unchanged and kept from the last build" if self.reused else ""
            return (
                f"Built {self.pages} pages ({self.files} files{kept}, {mb:.1f} MB) in {self.seconds:.2f}s "
                f"into {self.out}; notices judged as of {day} ({source}).{held}"
            )
        held = (
            f"{len(self.embargoed)} 份通报发布日期晚于 {day}，暂不发布：{'、'.join(self.embargoed)}。"
            if self.embargoed
            else ""
        )
        source = {
            "option": "北京时间，由 --as-of 指定",
            "epoch": "北京时间，取自 SOURCE_DATE_EPOCH",
            "today": "北京时间的今天",
        }[self.as_of_from]
        kept = f"，其中 {self.reused} 个未变、沿用上次生成的文件" if self.reused else ""
        return (
            f"已生成 {self.pages} 个页面（共 {self.files} 个文件{kept}，{mb:.1f} MB），用时 {self.seconds:.2f} 秒，"
            f"输出到 {self.out}；按 {day} 判断公示与发布日期（{source}）。{held}"
        )
