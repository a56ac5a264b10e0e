"""Text catalogue: serve, the clerk's local preview: build errors shown over the last good
page, HTTP errors.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # serve (the clerk's local preview)
    "serve.failed.title": ("生成失败", "The build failed"),
    "serve.failed.note": (
        "下面是上次成功生成的页面。请改正以下问题并保存，页面会自动刷新。",
        "Below is the page of the last good build. Fix these problems and save: the page reloads by itself.",
    ),
    "serve.failed.none": (
        "网站还没有成功生成过。请改正以下问题并保存，页面会自动刷新。",
        "The site has not been built yet. Fix these problems and save: the page reloads by itself.",
    ),
    "serve.close": ("暂时关闭", "Hide"),
    "serve.crashed": (
        "生成时出现程序错误：{error}（详情见命令行窗口，请报告给维护人员）",
        "the build crashed: {error} (details in the terminal; please report it)",
    ),
    "serve.built": ("已生成 {pages} 个页面，用时 {seconds} 秒", "built {pages} pages in {seconds}s"),
    "serve.serving": (
        "本地预览：{url}（生成到 {out}；按 Ctrl+C 停止）",
        "previewing at {url} (built into {out}; Ctrl+C to stop)",
    ),
    "serve.http.title": ("出错了（{code}）", "Error {code}"),
    "serve.http.400": ("请求的格式不对，无法处理。", "The request could not be understood."),
    "serve.http.403": ("没有访问这个地址的权限。", "Access to this address is not allowed."),
    "serve.http.404": ("您访问的页面不存在。", "The page you asked for does not exist."),
    "serve.http.405": ("本地预览只支持查看页面。", "The local preview only shows pages."),
    "serve.http.501": ("本地预览只支持查看页面。", "The local preview only shows pages."),
    "serve.http.other": ("本地预览无法处理这个请求。", "The local preview cannot answer this request."),
}
