"""``site-builder publish`` and ``site-builder correct``: thin wrappers over
:mod:`site_builder.workflow.publish` and :mod:`site_builder.workflow.correct`."""

from __future__ import annotations

import click

_ROOT = click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False), help="项目根目录")
_LANG = click.option("--lang", type=click.Choice(["zh-CN", "en"]), default=None, help="消息语言（默认取 site.yaml 的 locale）")


def _day(text: str | None, name: str, root: str, lang: str | None):
    """A date option (YYYY-MM-DD); today in Beijing when not given and ``text`` is None."""
    from pathlib import Path

    from site_builder.errors import Mark
    from site_builder.workflow.publish import fail_one, locale_of

    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        fail_one("cli.bad_date", locale_of(Path(root).resolve(), lang), Mark(name),
                 value="".join(ch if ch.isprintable() else "?" for ch in text)[:40], option=name)


def _register() -> None:
    from site_builder import messages

    messages.register(
        {
            "cli.bad_date": (
                "{option} 的值“{value}”不是 YYYY-MM-DD 格式的日期",
                "请写成如 2017-10-20 的日期（北京时间）",
                "{option} “{value}” is not a date in the form YYYY-MM-DD",
                "write a date such as 2017-10-20 (Beijing time)",
            ),
        }
    )


_register()


@click.command()
@click.argument("scheme")
@click.argument("period")
@click.option("--gongshi", is_flag=True, help="发布公示（公示期按工作日计算）")
@click.option("--final", is_flag=True, help="公示期满后发布通报（公示作为第 1 版保留）")
@click.option("--number", required=True, help="文号，如 淮软建办〔2017〕21号")
@click.option("--date", "date_text", required=True, help="发布日期 YYYY-MM-DD；公示从这一天起算（是工作日时算第 1 天）")
@click.option("--days", default=5, show_default=True, type=int, help="公示期的工作日数（仅 --gongshi）")
@click.option("--title", default=None, help="标题（不填则保留原标题或自动生成；--final 时把“公示”改为“通报”）")
@click.option("--body", default=None,
              help="正文 Markdown 文件（content/ 下）；不写时若有 content/notices/方案/考核期.md 则自动使用")
@_ROOT
@_LANG
def publish(scheme: str, period: str, gongshi: bool, final: bool, number: str, date_text: str,
            days: int, title: str | None, body: str | None, root: str, lang: str | None) -> None:
    """发布公示或通报：改写考核期文件、检查、锁定，并告诉您下一步。

    \b
    site-builder publish 方案 考核期 --gongshi --number 文号 --date 2017-10-20   公示 5 个工作日
    site-builder publish 方案 考核期 --final --number 文号 --date 2017-10-27     公示期满后发布通报
    site-builder publish 方案 考核期 --number 文号 --date 2017-10-20             不经公示直接发布通报
    """
    from pathlib import Path

    from site_builder.workflow.publish import publish as run, report_text

    if gongshi and final:
        raise click.UsageError("--gongshi 与 --final 只能选一个 (choose one of --gongshi and --final)")
    mode = "gongshi" if gongshi else "final" if final else "direct"
    day = _day(date_text, "--date", root, lang)
    done = run(Path(root), scheme, period, mode=mode, number=number, date=day, days=days,
               title=title, body=body, lang=lang)
    click.echo(report_text(done))


@click.command()
@click.argument("scheme")
@click.argument("period")
@click.option("--reason", required=True, help="更正原因（将公布），如“经复核，某单位某项得分录入错误”")
@click.option("--number", default=None, help="更正通知的文号（如有）")
@click.option("--date", "date_text", default=None, help="更正日期 YYYY-MM-DD（默认北京时间的今天）")
@_ROOT
@_LANG
def correct(scheme: str, period: str, reason: str, number: str | None, date_text: str | None,
            root: str, lang: str | None) -> None:
    """登记更正：列出与已发布版本相比的改动，记入 corrections，检查并锁定为新的一版。"""
    from pathlib import Path

    from site_builder.workflow.correct import correct as run, report_text

    day = _day(date_text, "--date", root, lang) if date_text is not None else None
    done = run(Path(root), scheme, period, reason=reason, number=number, date=day, lang=lang)
    click.echo(report_text(done))
