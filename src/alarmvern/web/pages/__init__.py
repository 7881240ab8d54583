"""The server-rendered pages: Mine Sider for customers, the operator console, the DPO console.

Each router module (``common``, ``mine_sider``, ``operator``, ``dpo``) exposes ``router``;
:mod:`.render` holds what they share (templates, the page route class, who is asking).
"""
