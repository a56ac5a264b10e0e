"""``site.yaml``: the publishing office and the site as a whole."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from site_builder.schema.types import Bool, Email, OneLine, Strict, Text, Url


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


class Site(Strict):
    title: Text = Field(description="网站标题，如“某某县政务服务考核结果公示”")
    organisation: Text = Field(description="发布机关全称")
    base_url: Url | None = Field(None, description="正式网址（用于 sitemap 和订阅），如 https://example.gov.cn/kaohe/")
    locale: Literal["zh-CN", "en"] = Field("zh-CN", description="界面语言：zh-CN 中文（默认）、en 英文")
    contact: Contact | None = Field(None, description="异议受理联系方式")
    sample: Bool = Field(False, description="整站为示例数据（每页显示“示例数据，非真实考核结果”）")
    description: Text | None = Field(None, description="网站简介")
    notice: NoticeDefaults | None = Field(None, description="各期通报的默认写法（如主送机关），见 NoticeDefaults")
