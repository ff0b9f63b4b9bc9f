"""The page-side upload limit: the HTML a widget embeds (the browser checks exercise it for real)."""

from __future__ import annotations

import html

from playground_lib.upload_limit import UPLOAD_LIMIT_BYTES, upload_limit_html


def test_the_limit_code_names_its_widget_its_status_line_and_the_advice():
    markup = upload_limit_html(
        "my-widget", "my-widget-upload", "my-widget-status", "Choose fewer.", "image/*", limit=5 * 2**20
    )
    script = html.unescape(markup.split('onerror="', 1)[1].rsplit('"', 1)[0])
    assert "closest('.my-widget')" in script and "querySelector('.my-widget-status')" in script
    assert "total > 5242880" in script and "closest('.my-widget-upload')" in script and 'accept = "image/*"' in script
    assert "more than the 5 MB one upload can carry here. Choose fewer." in script
    assert not any(word in script for word in ("ROOT", "UPLOAD", "STATUS", "LIMIT", "ACCEPT", "MESSAGE"))
    assert UPLOAD_LIMIT_BYTES < 10 * 2**20  # under tornado's websocket message limit
