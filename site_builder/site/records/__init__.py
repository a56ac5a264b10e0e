"""Publishing records: what was published, when, and what changed since.

The lock of published notices and its archive (``published.lock``,
``published/``), earlier versions rebuilt from the archive, the changes
between two versions, the canonical content of a notice, the differences
between two scheme versions, the build's version stamp, and ``check``.
"""
