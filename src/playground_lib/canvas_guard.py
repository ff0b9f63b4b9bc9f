"""A small piece of browser-side code that keeps a drawing widget's strokes honest.

ipycanvas reports mouse down/move/up/out to the kernel, and nothing else. A browser does more:
a press that starts beside the canvas selects page text across it, a later press on that
selection starts a native drag (``dragstart``, then ``pointercancel``), and the mouse-up that
would end the stroke never comes, so every move afterwards paints. The kernel side ignores
moves without a press it saw, but only the page can see a cancelled pointer. This module gives
the widget that page side:

* on a press on a canvas: clear any text selection and stop the browser from starting a
  selection or a native drag (``preventDefault`` on ``mousedown`` and ``dragstart``);
* when the pointer is cancelled, loses capture, or moves with no button held while a stroke is
  open: send the canvas a ``mouseout`` at the stroke's last position, which ipycanvas passes to
  the kernel as the stroke's end, without painting a new segment;
* CSS: no text selection on the widget, no touch scrolling over the canvas. A page selection
  that spans the widget (a drag from the cell's margin) leaves its text alone but paints the
  text of every field in it as selected (JupyterLab showed the brush size highlighted); a field
  shows a selection only while it has the focus.

How it runs everywhere: an ``ipywidgets.HTML`` holding an image that fails to load and whose
``onerror`` attribute runs the code. ipywidgets (7 and 8) put the HTML in the page with
``innerHTML``: ``<script>`` tags do not run that way (JupyterLab 4, classic Notebook, Colab
alike) but event attributes do, and no trust setting or extension is involved. The code finds
its widget through the CSS class of the widget's root and installs itself once per view.
"""

from __future__ import annotations

from html import escape

_GUARD_JS = """
var img = this;
function install(tries) {
  var root = img.closest('.ROOT');
  if (!root) { if (tries < 50) setTimeout(function () { install(tries + 1); }, 100); return; }
  if (root.dataset.canvasGuard) return;
  root.dataset.canvasGuard = '1';
  var open = null, last = null;
  function canvasOf(e) {
    var t = e.target;
    return t && t.tagName === 'CANVAS' && root.contains(t) ? t : null;
  }
  function end(reason) {
    if (!open) return;
    var c = open, at = last;
    open = null;
    root.dataset.lastStrokeEnd = reason;
    c.dispatchEvent(new MouseEvent('mouseout', {bubbles: true, clientX: at[0], clientY: at[1]}));
  }
  root.addEventListener('pointerdown', function (e) {
    var c = canvasOf(e);
    if (!c || e.button !== 0) return;
    var selection = window.getSelection && window.getSelection();
    if (selection) selection.removeAllRanges();
    open = c; last = [e.clientX, e.clientY];
  }, true);
  root.addEventListener('mousedown', function (e) { if (canvasOf(e)) e.preventDefault(); }, true);
  root.addEventListener('pointermove', function (e) {
    if (!open) return;
    if (e.buttons === 0) { end('no-button'); return; }
    last = [e.clientX, e.clientY];
  }, true);
  root.addEventListener('mouseup', function (e) { if (canvasOf(e)) open = null; }, true);
  root.addEventListener('mouseout', function (e) { if (e.isTrusted && canvasOf(e)) open = null; }, true);
  root.addEventListener('pointercancel', function () { end('pointercancel'); }, true);
  root.addEventListener('lostpointercapture', function () { end('lostpointercapture'); }, true);
  root.addEventListener('dragstart', function (e) { e.preventDefault(); end('dragstart'); }, true);
  root.addEventListener('selectstart', function (e) {
    var tag = e.target && e.target.tagName;
    if (tag !== 'INPUT' && tag !== 'TEXTAREA') e.preventDefault();
  }, true);
  window.addEventListener('blur', function () { end('blur'); });
}
install(0);
"""

_GUARD_CSS = """
.ROOT { user-select: none; -webkit-user-select: none; }
.ROOT input, .ROOT textarea { user-select: text; -webkit-user-select: text; }
.ROOT input:not(:focus)::selection, .ROOT textarea:not(:focus)::selection { background: transparent; }
.ROOT canvas { touch-action: none; -webkit-user-drag: none; }
"""


def guard_html(root_class: str) -> str:
    """HTML for an ``ipywidgets.HTML`` placed inside the widget whose root has CSS class ``root_class``."""
    script = " ".join(line.strip() for line in _GUARD_JS.replace("ROOT", root_class).splitlines() if line.strip())
    css = _GUARD_CSS.replace("ROOT", root_class)
    handler = escape(script, quote=True)
    return f'<style>{css}</style><img class="{root_class}-guard" src="data:," alt="" hidden onerror="{handler}">'
