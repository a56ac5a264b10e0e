"""``site.yaml``: the publishing office and the site as a whole."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from site_builder import messages
from site_builder.schema.types import Bool, Email, OneLine, Strict, Text, Url, _text, short

messages.register(
    {
        "site.bad_site_code": (
            "网站标识码“{text}”的格式不对",
            "网站标识码共 10 位：政府门户网站是 10 位数字（如 1100000088），部门网站是 bm 加 8 位数字"
            "（如 bm01000001）；请照抄赋码通知上的写法",
            "the site identifier code “{text}” is not valid",
            "it has 10 characters: 10 digits for a government portal (1100000088), or bm and 8 digits "
            "for a department's site (bm01000001)",
        ),
        "site.bad_icp": (
            "ICP 备案号“{text}”的格式不对",
            "请照抄备案通知上的写法，如 京ICP备12345678号 或 京ICP备12345678号-1"
            "（省份简称 + ICP备 + 数字 + 号，网站序号前用半角连字符 -，中间不加空格）",
            "the ICP record number “{text}” is not valid",
            "copy it from the record notice, e.g. 京ICP备12345678号 or 京ICP备12345678号-1 "
            "(province, ICP备, digits, 号, then an ASCII hyphen and the site number, no spaces)",
        ),
        "site.bad_police_record": (
            "公安机关备案号“{text}”的格式不对",
            "请照抄备案通知上的写法，如 京公网安备11010502030143号（省份简称 + 公网安备 + 14 位数字 + 号）",
            "the public security record number “{text}” is not valid",
            "copy it from the record notice, e.g. 京公网安备11010502030143号 "
            "(province, 公网安备, 14 digits, 号)",
        ),
    }
)

# 省级行政区简称, the first character of every ICP and 公安 record number
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼港澳台"
_SITE_CODE = re.compile(r"[0-9]{10}|bm[0-9]{8}")
_ICP = re.compile(f"[{_PROVINCES}]ICP备[0-9]{{6,10}}号(?:-[0-9]{{1,3}})?")
_POLICE = re.compile(f"[{_PROVINCES}]公网安备 ?([0-9]{{14}})号")


def _matching(pattern: re.Pattern[str], code: str) -> Any:
    def check(value: Any) -> str:
        if isinstance(value, str) and pattern.fullmatch(value.strip()):
            return value.strip()  # unambiguous even unquoted (a site code of ten digits)
        text = _text(value)
        if not pattern.fullmatch(text):
            raise PydanticCustomError(code, "format", {"text": short(text, 40)})
        return text

    return BeforeValidator(check)


def _schema(pattern: re.Pattern[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": f"^(?:{pattern.pattern})$"})


SiteCode = Annotated[
    str,
    _matching(_SITE_CODE, "site.bad_site_code"),
    # ten digits may be written unquoted (a YAML integer to an editor)
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": f"^(?:{_SITE_CODE.pattern})$"},
                {"type": "integer", "minimum": 1000000000, "maximum": 9999999999},
            ]
        }
    ),
]
IcpNumber = Annotated[str, _matching(_ICP, "site.bad_icp"), _schema(_ICP)]
PoliceNumber = Annotated[str, _matching(_POLICE, "site.bad_police_record"), _schema(_POLICE)]


class Contact(Strict):
    """Where objections go (异议受理)."""

    office: Text = Field(description="受理异议的机构或科室")
    phone: Text | None = Field(None, description="办公电话（请用座机，勿填个人手机）")
    email: Email | None = Field(None, description="电子邮箱")
    address: Text | None = Field(None, description="通信地址")


class NoticeDefaults(Strict):
    """What every notice of the site says unless its period file says otherwise (通报的默认写法)."""

    addressee: OneLine | None = Field(
        None,
        description="主送机关，如“各乡镇人民政府，县直各部门”（正文之前单独一行，末尾自动加冒号）；"
        "考核期文件的 notice.addressee 另行指定；都不写则不显示主送",
    )


class Footer(Strict):
    """政府网站页脚的标识（网站标识码、ICP 备案号、公安机关备案号），每一页的页脚都显示。"""

    site_code: SiteCode | None = Field(
        None, description="网站标识码：10 位数字（如 1100000088）或 bm 加 8 位数字（部门网站，如 bm01000001）"
    )
    icp: IcpNumber | None = Field(
        None, description="ICP 备案号，如 京ICP备12345678号-1（页脚链接到工业和信息化部备案管理系统）"
    )
    police_record: PoliceNumber | None = Field(
        None,
        description="公安机关备案号，如 京公网安备11010502030143号（页脚链接到全国互联网安全管理服务平台的备案查询）",
    )

    @property
    def police_code(self) -> str | None:
        """The 14 digits of the 公安 record number, for the link to its record."""
        found = _POLICE.fullmatch(self.police_record) if self.police_record else None
        return found.group(1) if found else None


class Site(Strict):
    title: Text = Field(description="网站标题，如“某某县政务服务考核结果公示”")
    organisation: Text = Field(description="发布机关全称")
    base_url: Url | None = Field(None, description="正式网址（用于 sitemap 和订阅），如 https://example.gov.cn/kaohe/")
    locale: Literal["zh-CN", "en"] = Field("zh-CN", description="界面语言：zh-CN 中文（默认）、en 英文")
    contact: Contact | None = Field(None, description="异议受理联系方式")
    sample: Bool = Field(False, description="整站为示例数据（每页显示“示例数据，非真实考核结果”）")
    description: Text | None = Field(None, description="网站简介")
    notice: NoticeDefaults | None = Field(None, description="各期通报的默认写法（如主送机关），见 NoticeDefaults")
    footer: Footer | None = Field(None, description="页脚的网站标识码、ICP 备案号和公安机关备案号（政府网站按要求填写）")

