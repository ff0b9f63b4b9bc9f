"""Stop an upload that is too big for the notebook's connection before it is sent, and say why.

A ``FileUpload`` sends every chosen file to the kernel in one websocket message. Jupyter's
server (JupyterLab and classic Notebook alike, through tornado) closes the connection on a
message over 10 MiB, and then nothing happens at all: no error, no files, the widget looks as if
the button was never pressed. Two phone photos are enough. Only the page knows the files' sizes
before they go, so this module gives a widget a small piece of page code that opens the file
chooser itself when the upload button is pressed, and looks at the chosen files first: over the
limit, they are not sent and a red line in the widget's status says why (inside the HTML's
content, so the next status update replaces it); under it, they are handed to the
``FileUpload``, which sends them as usual.

Handing them over: ipywidgets 8 keeps its file input out of the page (no event of it can be
caught), but both 7 and 8 open it with ``input.click()`` from the button's click handler. For that
one call, ``click`` on a file input is replaced by "take these files and announce a change".

It runs the way :mod:`playground_lib.canvas_guard` does: the ``onerror`` attribute of an image
that fails to load, inside an ``ipywidgets.HTML``, which runs in ipywidgets 7 and 8 alike.
"""

from __future__ import annotations

import json
from html import escape

# 10 MiB is tornado's default websocket_max_message_size; the message carries the files plus a little JSON.
UPLOAD_LIMIT_BYTES = 9 * 2**20

_LIMIT_JS = """
var img = this;
function install(tries) {
  var root = img.closest('.ROOT');
  if (!root) { if (tries < 50) setTimeout(function () { install(tries + 1); }, 100); return; }
  if (root.dataset.uploadLimit) return;
  root.dataset.uploadLimit = '1';
  function refuse(files, total) {
    var count = files.length;
    var what = count > 1 ? 'These ' + count + ' files are ' : 'This file is ';
    var text = what + (total / 1048576).toFixed(1) + ' MB' + (count > 1 ? ' together' : '') + MESSAGE;
    var status = root.querySelector('.STATUS');
    if (!status) { window.alert(text); return; }
    var content = status.querySelector('.widget-html-content') || status;
    var old = content.querySelector('.ROOT-upload-too-big');
    if (old) old.remove();
    var note = document.createElement('div');
    note.className = 'ROOT-upload-too-big';
    note.style.color = '#c62828';
    note.textContent = text;
    content.appendChild(note);
  }
  function handOver(button, files) {
    var original = HTMLInputElement.prototype.click;
    HTMLInputElement.prototype.click = function () {
      if (this.type !== 'file') return original.apply(this, arguments);
      HTMLInputElement.prototype.click = original;
      var chosen = new DataTransfer();
      for (var i = 0; i < files.length; i++) chosen.items.add(files[i]);
      this.files = chosen.files;
      this.dispatchEvent(new Event('change', {bubbles: true}));
    };
    button.dataset.handOver = '1';
    try { button.click(); } finally { delete button.dataset.handOver; HTMLInputElement.prototype.click = original; }
  }
  root.addEventListener('click', function (e) {
    var button = e.target && e.target.closest ? e.target.closest('.UPLOAD') : null;
    if (!button || !root.contains(button) || button.dataset.handOver) return;
    e.stopPropagation();
    e.preventDefault();
    var picker = document.createElement('input');
    picker.type = 'file';
    picker.multiple = true;
    picker.accept = ACCEPT;
    picker.addEventListener('change', function () {
      var files = Array.prototype.slice.call(picker.files || []);
      var total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
      if (!files.length) return;
      if (total > LIMIT) { refuse(files, total); return; }
      handOver(button, files);
    });
    picker.click();
  }, true);
}
install(0);
"""


def upload_limit_html(
    root_class: str,
    upload_class: str,
    status_class: str,
    advice: str,
    accept: str = "",
    limit: int = UPLOAD_LIMIT_BYTES,
) -> str:
    """HTML for an ``ipywidgets.HTML`` inside the widget whose root has CSS class ``root_class``.

    ``upload_class``: the CSS class of its ``FileUpload``; ``status_class``: its status line, where
    a refusal is written; ``advice``: what to do instead, after "...: more than the N MB one upload
    can carry here."; ``accept``: the file types the chooser offers (as ``FileUpload.accept``).
    """
    message = f": more than the {limit / 2**20:.0f} MB one upload can carry here. {advice}"
    script = (
        _LIMIT_JS.replace("ROOT", root_class)
        .replace("UPLOAD", upload_class)
        .replace("STATUS", status_class)
        .replace("LIMIT", str(int(limit)))
        .replace("ACCEPT", json.dumps(accept))
        .replace("MESSAGE", json.dumps(message))
    )
    handler = escape(" ".join(line.strip() for line in script.splitlines() if line.strip()), quote=True)
    return f'<img class="{root_class}-upload-limit" src="data:," alt="" hidden onerror="{handler}">'
