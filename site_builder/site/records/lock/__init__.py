"""``published.lock`` and ``published/``: every published version of every notice.

For each published period — a 通报, and a 公示 from its first publication —
the lock lists its versions, oldest first.  Version 1 is the first
publication; ``site-builder lock`` appends version n+1 when what the notice
shows changed and a new correction (更正) was recorded, or when a 公示 became
the 通报 (``status: published``; no correction needed).  Each version holds:

- the SHA-256 of the canonical JSON of its computed results;
- the stage it was published at (``public_notice`` or ``published``);
- the number of corrections in the period file, the correction that produced
  it, and the versions of the earlier periods of the same scheme it was
  computed with (running totals, streaks and caps across periods depend on them);
- the files it was computed from and what it showed:
  ``published/<scheme>/<period>/v<n>.yaml`` (the period file, with every
  registered person's name masked unless the scheme declares a legal basis for
  publishing names), ``v<n>.scheme.yaml`` (its scheme version file),
  ``v<n>.body.md`` (the notice body as published) and ``v<n>.notice.json``,
  the canonical content of the notice and its score cards
  (:mod:`site_builder.site.records.noticedoc`: 文号, title, date, issuer, body, unit
  names and groups as shown then, honours, the scheme's clause text, notes and
  events, the 公示 window and contact, every figure).

``check`` and ``build`` refuse, each with its file:line and how to fix it: a
published period whose notice content, results or body differ from its last
version unless a new correction was recorded since the last ``lock`` (the
message lists the changed items ``项目: 旧 → 新``); a published period that
disappeared; a correction deleted from the period file or a count lowered in
the lock; a lock that was deleted (while ``published/`` still holds archives,
or while git's HEAD has it) or lost an entry whose archive is still there; an
archived file that is missing, is a symbolic link, lies outside
``published/``, or whose content differs from the lock; a malformed lock
(located at its line:column).  Archived text files are compared by their
canonical text (LF, no BOM), so a checkout that converted line endings
(``core.autocrlf``) still builds.  Earlier versions are rebuilt from the
archive by :mod:`site_builder.site.records.versions`.

    {"periods": {"<scheme>/<period>": {"corrections": 1, "versions": [
        {"n": 1, "sha256": "…", "stage": "published", "corrections": 0, "correction": null,
         "basis": {"<earlier period>": 1},
         "period_file": {"path": "published/<scheme>/<period>/v1.yaml", "sha256": "…"},
         "scheme_file": {"path": "published/<scheme>/<period>/v1.scheme.yaml", "sha256": "…"},
         "body_file": {"path": "published/<scheme>/<period>/v1.body.md", "sha256": "…"},
         "notice_file": {"path": "published/<scheme>/<period>/v1.notice.json", "sha256": "…"}},
        …]}}, "version": 3}

``"body_file": null`` is a notice without a body.  Older files are still read:
``{"sha256": …, "corrections": …}`` per period (format 1, no archive) is one
version without files; a version without ``body_file`` is one whose body is
not locked yet, without ``notice_file`` one whose notice content is not locked
yet, without ``stage`` a 通报.  The next ``lock`` archives what the last
version lacks from the current files when they still reproduce its results
(without creating a new version).  Earlier versions locked before bodies were
archived are shown with the body in ``content/``.

The package, by concern: :mod:`.lockfile` (the file's format: read, validated,
written), :mod:`.reading` (loading it from the project, malformed or missing
locks located), :mod:`.fingerprints` (what a version records: canonical
results, bodies, notice content), :mod:`.checks` (the refusals of ``check``
and ``build``), :mod:`.update` (``site-builder lock``: new versions and their
archive).  The messages of all of them are registered here.
"""

from __future__ import annotations

from site_builder import messages
from site_builder.site.records.lock.lockfile import RESTORE


messages.register(
    {
        "lock.changed": (
            "已发布的“{period}”的考核结果与 published.lock 记录的不一致，但没有登记新的更正",
            "已发布的结果不得悄悄修改：请运行 site-builder correct {cmd} --reason \"更正原因\" 登记更正（它列出改动、记入 {source} 并锁定）",
            "the published results of “{period}” differ from published.lock, but no new correction was recorded",
            "published results must not change silently: run site-builder correct {cmd} --reason \"…\" to record a correction (it lists the changes, records them in {source} and locks)",
        ),
        "lock.notice_changed": (
            "已发布的“{period}”（第 {n} 版，{stage_zh}）的内容与 published.lock 锁定的不一致，但没有登记新的更正：{items_zh}",
            "已发布的{stage_zh}不得悄悄修改：请运行 site-builder correct {cmd} --reason \"更正原因\" 登记更正（它列出改动、记入 {source} 并锁定）；或撤销这些改动，恢复第 {n} 版的内容（{archive}）{hint_zh}",
            "the published “{period}” (version {n}, {stage_en}) differs from what published.lock locked, but no new correction was recorded: {items_en}",
            "a published {stage_en} must not change silently: run site-builder correct {cmd} --reason \"…\" to record a correction (it lists the changes, records them in {source} and locks); or revert these changes to version {n} ({archive}){hint_en}",
        ),
        "lock.body_changed": (
            "已发布的“{period}”的通报正文{body_zh}与 published.lock 记录的第 {n} 版不一致，但没有登记新的更正",
            "已发布的通报正文不得悄悄修改：请运行 site-builder correct {cmd} --reason \"更正原因\" 登记更正（它列出改动、记入 {source} 并锁定）；或撤销对正文的改动，恢复第 {n} 版的原文（{archive_zh}）",
            "the body text of the published notice “{period}”{body_en} differs from version {n} in published.lock, but no new correction was recorded",
            "published notices must not change silently: run site-builder correct {cmd} --reason \"…\" to record a correction (it lists the changes, records them in {source} and locks); or revert the text to version {n} ({archive_en})",
        ),
        "lock.vanished": (
            "published.lock 中已发布的“{period}”找不到了，或不再是已发布状态",
            "已发布的通报不能删除或撤回为草稿/公示：请恢复 status: published，如有错误请登记更正",
            "the published period “{period}” in published.lock no longer exists or is no longer published",
            "published notices cannot be deleted or turned back into drafts: restore status: published and record a correction if something was wrong",
        ),
        "lock.withdrawn": (
            "已发布的公示“{period}”被改回草稿或删除，但没有登记更正",
            "公示不能悄悄撤回：确需撤回的，保留 {source}，改为 status: draft，并在 corrections 中登记一条更正写明撤回的原因；否则请恢复 status: public_notice",
            "the published public notice “{period}” was turned back into a draft or deleted, but no correction was recorded",
            "a public notice cannot be withdrawn silently: to withdraw it, keep {source} with status: draft and record a correction giving the reason; otherwise restore status: public_notice",
        ),
        "lock.corrections_removed": (
            "“{period}”的更正记录由 {old} 条减少为 {new} 条",
            "已登记的更正不得删除：请恢复 {source} 中的 corrections",
            "the corrections of “{period}” went down from {old} to {new}",
            "recorded corrections must not be deleted: restore corrections in {source}",
        ),
        "lock.count_lowered": (
            "published.lock 中“{period}”的更正数被改小了：记为 {count}，但第 {n} 版已由 {needed} 条更正产生",
            "published.lock 只由 site-builder lock 写入，不得手工修改：请从版本库恢复（" + RESTORE + "）",
            "the corrections count of “{period}” in published.lock was lowered: it says {count}, but version {n} already followed {needed} correction(s)",
            "published.lock is written by site-builder lock only: restore it from version control (" + RESTORE + ")",
        ),
        "lock.invalid": (
            "published.lock 无法读取：{error}",
            "请从版本库恢复（" + RESTORE + "）；确实损坏且无法恢复时，运行 site-builder lock --force 重新生成",
            "published.lock cannot be read: {error}",
            "restore it from version control (" + RESTORE + "); if it is damaged beyond repair, run site-builder lock --force",
        ),
        "lock.malformed": (
            "published.lock 格式不正确：{what_zh}",
            "published.lock 只由 site-builder lock 写入，不得手工修改：请从版本库恢复（" + RESTORE + "）",
            "published.lock is malformed: {what_en}",
            "published.lock is written by site-builder lock only: restore it from version control (" + RESTORE + ")",
        ),
        "lock.missing": (
            "published.lock 不存在，但{why_zh}：已发布的通报失去了锁定",
            "锁文件不得删除：请从版本库恢复（" + RESTORE + "）",
            "published.lock does not exist, but {why_en}: the published notices are no longer locked",
            "the lock must not be deleted: restore it from version control (" + RESTORE + ")",
        ),
        "lock.entry_missing": (
            "published.lock 中没有“{period}”，但 {folder}/ 中有它已发布版本的存档：锁定记录被删除了",
            "锁定记录不得删除：请从版本库恢复（" + RESTORE + "）",
            "published.lock has no entry for “{period}”, but {folder}/ holds archives of its published versions: the entry was removed",
            "lock entries must not be removed: restore them from version control (" + RESTORE + ")",
        ),
        "lock.behind_git": (
            "published.lock 中“{period}”{what_zh}，比版本库（git HEAD）中记录的少：锁定记录被删改了",
            "已发布的版本和更正不得从锁中删除：请从版本库恢复（" + RESTORE + "）",
            "published.lock has {what_en} for “{period}” than git's HEAD: the lock was cut back",
            "published versions and corrections must not be taken out of the lock: restore it from version control (" + RESTORE + ")",
        ),
        "lock.symlink": (
            "{path} 是符号链接（快捷方式）：已发布版本的锁定和存档必须是本项目中的普通文件",
            "请删除该链接，从版本库恢复原文件（" + RESTORE + "）",
            "{path} is a symbolic link: the lock and the archives of published versions must be regular files of the project",
            "remove the link and restore the file from version control (" + RESTORE + ")",
        ),
        "lock.archive_outside": (
            "published.lock 记录的存档路径 {path} 不在 published/ 之内（“{period}”第 {n} 版）",
            "存档只能位于 published/ 之下：请从版本库恢复（" + RESTORE + "）",
            "the archive path {path} in published.lock is not inside published/ (“{period}” version {n})",
            "archives live under published/ only: restore it from version control (" + RESTORE + ")",
        ),
        "lock.archive_missing": (
            "published.lock 记录的已发布版本存档 {path} 不存在（“{period}”第 {n} 版）",
            "已发布版本的存档不得删除：请从版本库恢复该文件（git checkout -- {path}）",
            "the archive {path} of a published version is missing (“{period}” version {n})",
            "archives of published versions must not be deleted: restore the file from version control (git checkout -- {path})",
        ),
        "lock.archive_changed": (
            "已发布版本的存档 {path} 被修改过：内容与 published.lock 记录的 SHA-256 不一致（“{period}”第 {n} 版）",
            "存档是当时公布内容的原样副本，不得修改：请从版本库恢复该文件（git checkout -- {path}）；要改正结果，请修改 scores/ 下的文件并登记更正",
            "the archive {path} of a published version was modified: its SHA-256 differs from published.lock (“{period}” version {n})",
            "archives are exact copies of what was published and must not change: restore the file from version control (git checkout -- {path}); to correct results, edit the file under scores/ and record a correction",
        ),
        "lock.archive_encoding": (
            "已发布版本的存档 {path} 不是 UTF-8 编码的文本（“{period}”第 {n} 版）",
            "存档由 site-builder lock 以 UTF-8 写入，不得修改：请从版本库恢复（" + RESTORE + "）",
            "the archive {path} of a published version is not UTF-8 text (“{period}” version {n})",
            "archives are written in UTF-8 by site-builder lock and must not change: restore them from version control (" + RESTORE + ")",
        ),
        "lock.archive_exists": (
            "存档文件 {path} 已存在，且内容与要存档的不同",
            "published/ 下的文件只由 site-builder lock 写入：请从版本库恢复 published/ 和 published.lock；确需重建时加 --force",
            "the archive file {path} exists with other content",
            "files under published/ are written by site-builder lock only: restore published/ and published.lock from version control, or use --force to rebuild them",
        ),
        "lock.body_outside": (
            "通报正文 {path} 不是 content/ 中的普通文件（符号链接或位于项目之外），不能存档",
            "请把正文文件本身放进 content/，不要使用符号链接",
            "the notice body {path} is not a regular file inside content/ (a symbolic link or outside the project); it cannot be archived",
            "put the body file itself into content/; do not use a symbolic link",
        ),
    }
)
