"""The platform export kinds, one module per platform family, registered here in one fixed order.

Importing this package (or any module in it) registers every kind in helpers.ingest.types.KINDS;
detection (helpers.ingest.mapping.detect) picks a kind by its headers, its ``required`` columns
being its signature. The families:

- international: ``x`` (X / Twitter), ``meta`` (Instagram, Facebook, Meta daily metric files),
  ``tiktok`` (TikTok Studio), ``youtube`` (YouTube Studio), ``linkedin`` (LinkedIn Page);
- Chinese back offices: ``wechat`` (WeChat Official Account), ``douyin`` (Douyin creator centre),
  ``xiaohongshu`` (Xiaohongshu creator platform);
- comments: ``comments`` (crawler comment exports → the comments table);
- KOL lists: ``kols`` (巨量星图, 灰豚 达人 lists → the kols table).

``common`` holds what every family uses (column helpers, hashtags, finish steps); ``cn_common`` what
the Chinese back-office exports share (post ids derived from minute and title, 体裁 labels). Each
family module lists its kinds in ``KINDS``; to add a kind, declare it in its family's module and
append it there (a new family: a new module, added to ``FAMILIES`` below).
"""

from __future__ import annotations

from helpers.ingest.kinds import comments, douyin, kols, linkedin, meta, tiktok, wechat, x, xiaohongshu, youtube
from helpers.ingest.types import ExportKind, register

#: The families in registration (and so detection) order: international first, then the Chinese ones.
FAMILIES = (x, meta, tiktok, youtube, linkedin, wechat, douyin, xiaohongshu, comments, kols)

#: The international kinds, in registration order.
KINDS_INTL: tuple[ExportKind, ...] = (*x.KINDS, *meta.KINDS, *tiktok.KINDS, *youtube.KINDS, *linkedin.KINDS)
#: The Chinese back-office kinds, in registration order.
KINDS_CN: tuple[ExportKind, ...] = (*wechat.KINDS, *douyin.KINDS, *xiaohongshu.KINDS)
#: The comment exports (comments table), registered last.
KINDS_COMMENTS: tuple[ExportKind, ...] = comments.KINDS
#: The KOL-list exports (kols table), registered after the comments.
KINDS_KOLS: tuple[ExportKind, ...] = kols.KINDS

register(*(kind for family in FAMILIES for kind in family.KINDS))

__all__ = ["FAMILIES", "KINDS_CN", "KINDS_COMMENTS", "KINDS_INTL", "KINDS_KOLS"]
