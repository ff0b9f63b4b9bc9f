"""JupyterLab or classic Notebook in Debian's headless Chromium, for the widget checks (``make browser-check``).

A participant meets the annotator and the painter in a browser, so these checks do too: start a
private Jupyter server on 127.0.0.1 over a temporary copy of a notebook, open it in
``/usr/bin/chromium`` (driven by playwright's Python package, never a downloaded browser), run
all cells, and let the test click. What the Python side holds afterwards is asked from the very
kernel the page uses, through its connection file.

Two front ends: ``"lab"`` (JupyterLab 4 + ipywidgets 8, from the project's .venv) and
``"classic"`` (Notebook 6.5 + ipywidgets 7.7.1 from .venv-classic, made by
scripts/setup_classic_venv.sh): the widget stack Colab ships, which no CI machine can open.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "outputs" / "browser"
CLASSIC_VENV = ROOT / ".venv-classic"
FRONT_ENDS = ("lab", "classic")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server over ``root`` with its own config, runtime and settings folders."""

    front_end = "lab"

    def __init__(self, root: Path, home: Path):
        self.root, self.home = root, home
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.runtime = home / "runtime"
        env = dict(os.environ)
        env.update(
            {
                "JUPYTER_RUNTIME_DIR": str(self.runtime),
                "JUPYTER_CONFIG_DIR": str(home / "config"),
                "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
                "PLAYGROUND_WORKSPACE": str(root / "workspace"),  # the series' working folder, per test
                "OMP_NUM_THREADS": "1",
            }
        )
        # No "would you like news?" toast over the page: announcements off.
        settings = home / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        self.log = open(home / "jupyter.log", "w")  # noqa: SIM115 - open for the server's lifetime, closed in stop()
        self.process = subprocess.Popen(
            self.command() + (["--allow-root"] if os.geteuid() == 0 else []),
            cwd=root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--port={self.port}",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.port_retries=0",
            "--LabApp.extension_manager=readonly",
        ]

    def notebook_url(self, notebook: str) -> str:
        return self.url(f"lab/tree/{notebook}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def api(self, path: str):
        with urllib.request.urlopen(self.url(f"api/{path}"), timeout=5) as response:
            return json.loads(response.read())

    def _wait_until_up(self, timeout: float = 90) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: see {self.home / 'jupyter.log'}")
            with contextlib.suppress(OSError):
                self.api("status")
                return
            time.sleep(0.5)
        raise TimeoutError(f"jupyter lab did not answer in {timeout}s: see {self.home / 'jupyter.log'}")

    def kernel_client(self, timeout: float = 60):
        """A client on the kernel that the open notebook runs (its only session)."""
        from jupyter_client import BlockingKernelClient

        deadline = time.time() + timeout
        while time.time() < deadline:
            sessions = self.api("sessions")
            if sessions:
                kernel_id = sessions[0]["kernel"]["id"]
                connection = self.runtime / f"kernel-{kernel_id}.json"
                if connection.exists():
                    client = BlockingKernelClient(connection_file=str(connection))
                    client.load_connection_file()
                    client.start_channels()
                    try:
                        client.wait_for_ready(timeout=30)
                    except RuntimeError:  # heartbeat not beating yet on a busy machine: ask again
                        client.stop_channels()
                        time.sleep(1)
                        continue
                    return client
            time.sleep(0.5)
        raise TimeoutError("no kernel session appeared")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class ClassicNotebook(Lab):
    """Notebook 6.5 with ipywidgets 7.7.1 from .venv-classic: the widget stack Colab ships."""

    front_end = "classic"

    def command(self) -> list[str]:
        python = CLASSIC_VENV / "bin" / "python"
        if not python.exists():
            raise FileNotFoundError(f"{python} is missing: run scripts/setup_classic_venv.sh")
        return [
            str(python),
            "-m",
            "notebook",
            "--no-browser",
            "--NotebookApp.ip=127.0.0.1",
            f"--port={self.port}",
            f"--NotebookApp.token={self.token}",
            f"--NotebookApp.notebook_dir={self.root}",
            "--NotebookApp.port_retries=0",
        ]

    def notebook_url(self, notebook: str) -> str:
        return self.url(f"notebooks/{notebook}")


def run_in_kernel(client, code: str, timeout: float = 120) -> str:
    """Run code in the notebook's kernel (after whatever it is running) and return what it printed."""
    printed: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            printed.append("\n".join(msg["content"]["traceback"]))

    reply = client.execute_interactive(code, output_hook=hook, timeout=timeout, store_history=False)
    if reply["content"]["status"] != "ok":
        raise AssertionError(f"kernel code failed: {''.join(printed)}")
    return "".join(printed)


@contextlib.contextmanager
def notebook_in_chromium(notebook: str | Path, tmp_path: Path, front_end: str = "lab", viewport=(1400, 1000)):
    """Yield (page, kernel client, workdir) with a notebook open in headless Chromium and all cells run.

    ``notebook``: a name under notebooks/ or a path to any .ipynb (a test may write its own).
    """
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: run scripts/install_browser.sh")
    source = Path(notebook) if Path(notebook).is_absolute() else ROOT / "notebooks" / notebook
    notebook = source.name
    workdir = tmp_path / "work"
    workdir.mkdir(parents=True)
    shutil.copy(source, workdir / notebook)
    lab = {"lab": Lab, "classic": ClassicNotebook}[front_end](workdir, tmp_path / "jupyter")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": viewport[0], "height": viewport[1]},
            )
            try:
                page = context.pages[0] if context.pages else context.new_page()
                page.set_default_timeout(60_000)
                page.goto(lab.notebook_url(notebook))
                kernel = lab.kernel_client(timeout=120)  # the page's kernel is up and answering
                if front_end == "lab":
                    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
                    run_all_cells(page)
                else:
                    run_all_cells_classic(page, kernel)
                try:
                    yield page, kernel, workdir
                finally:
                    kernel.stop_channels()
            finally:
                context.close()
    finally:
        lab.stop()


def run_all_cells(page, timeout: float = 300) -> None:
    """Run > Run All Cells, then wait until every code cell has run; a failing cell fails the check.

    JupyterLab stops a "Run All" at the first error and leaves the cells after it unnumbered, so
    "nothing running, some cells numbered, the last one not" means a cell failed: its traceback is
    raised here instead of waiting for a timeout.
    """
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    deadline = time.time() + timeout
    stopped_polls = 0
    time.sleep(1)
    while time.time() < deadline:
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        numbered = [any(ch.isdigit() for ch in p) for p in prompts]
        running = any("*" in p for p in prompts)
        if prompts and not running and numbered[-1]:
            return
        stopped_polls = stopped_polls + 1 if (prompts and not running and any(numbered)) else 0
        if stopped_polls >= 6:
            tracebacks = [
                t
                for t in page.locator("[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
                if "Traceback" in t or "Error" in t
            ]
            raise AssertionError(
                "a notebook cell failed in the browser:\n" + ("\n".join(tracebacks)[-3000:] or "(no traceback shown)")
            )
        time.sleep(0.5)
    raise TimeoutError("the notebook did not finish running")


def run_all_cells_classic(page, kernel, timeout: float = 300) -> None:
    """Cell > Run All in classic Notebook; a cell that failed there fails the check with its traceback."""
    page.wait_for_function(
        "() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
        timeout=120_000,
    )
    page.evaluate("() => Jupyter.notebook.execute_all_cells()")
    deadline = time.time() + timeout
    while time.time() < deadline:
        prompts = page.locator(".code_cell .input_prompt").all_inner_texts()
        if prompts and all(any(ch.isdigit() for ch in p) for p in prompts):
            break
        errors = page.locator(".output_error").all_inner_texts()
        if errors:
            raise AssertionError("a notebook cell failed in the browser:\n" + "\n".join(errors)[-3000:])
        time.sleep(0.5)
    else:
        raise TimeoutError("the notebook did not finish running")
    errors = page.locator(".output_error").all_inner_texts()
    if errors:
        raise AssertionError("a notebook cell failed in the browser:\n" + "\n".join(errors)[-3000:])


def screenshot(page, name: str, locator=None) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    (locator or page).screenshot(path=str(path))
    return path


def drag(page, points, steps: int = 6) -> None:
    """A real mouse drag through page coordinates: press, move in small steps, release."""
    (x, y), *rest = points
    page.mouse.move(x, y)
    page.mouse.down()
    for x, y in rest:
        page.mouse.move(x, y, steps=steps)
    page.mouse.up()


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A small harness notebook: the first cell is Markdown (text a participant may select), the rest code."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(cells[0])] + [nbformat.v4.new_code_cell(c) for c in cells[1:]]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


OUTPUT_AREA = "xpath=ancestor::div[contains(@class, 'jp-OutputArea-output') or contains(@class, 'output_subarea')][1]"


CANVAS_PIXELS_JS = """(selector) => {
    const c = document.querySelector(selector);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let s = '';
    for (let i = 0; i < d.length; i += 4) s += String.fromCharCode(d[i], d[i + 1], d[i + 2]);
    return [c.width, c.height, btoa(s)];
}"""


def read_canvas_pixels(page, selector: str):
    """What a canvas element holds, HxWx3 uint8, read in the page with getImageData (not from the kernel)."""
    import base64

    import numpy as np

    width, height, data = page.evaluate(CANVAS_PIXELS_JS, selector)
    return np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(height, width, 3)


class WidgetPage:
    """A widget's canvas open in the page, with the page's kernel: ask Python, click in canvas pixels, screenshot.

    ``canvas``: a CSS selector of the canvas; ``prefix``: the screenshots' name prefix.
    """

    def __init__(self, page, kernel, workdir: Path, front_end: str, canvas: str, prefix: str):
        self.page, self.kernel, self.workdir, self.front_end = page, kernel, workdir, front_end
        self.canvas_selector, self.prefix = canvas, prefix
        self.canvas = page.locator(canvas).first
        self.canvas.wait_for()
        self.bring_into_view()

    def bring_into_view(self, timeout: float = 15) -> None:
        """Scroll the canvas into view and wait until it stays put.

        JupyterLab 4 draws a long notebook's cells as they scroll into view: outputs above the
        canvas can grow after it was scrolled to (by ~570 px in notebook 01), which moves the
        canvas on the page. A click aimed with a position read before that lands off target.
        """
        deadline = time.time() + timeout
        while True:
            self.canvas.scroll_into_view_if_needed()
            before = self.canvas.bounding_box()
            self.page.wait_for_timeout(400)
            if self.canvas.bounding_box() == before or time.time() > deadline:
                return

    def ask(self, expression: str):
        """The value of a Python expression in the page's kernel (JSON-able)."""
        return json.loads(run_in_kernel(self.kernel, f"import json as _j; print(_j.dumps({expression}))"))

    def run(self, code: str) -> str:
        return run_in_kernel(self.kernel, code)

    def canvas_size(self) -> tuple[int, int]:
        """(width, height) of the canvas in its own pixels."""
        return tuple(
            self.page.evaluate(
                "(s) => { const c = document.querySelector(s); return [c.width, c.height]; }", self.canvas_selector
            )
        )

    def to_page(self, x: float, y: float) -> tuple[float, float]:
        """Page coordinates of canvas pixel (x, y), whatever size the page shows the canvas at."""
        width, height = self.canvas_size()
        box = self.canvas.bounding_box()
        return box["x"] + x * box["width"] / width, box["y"] + y * box["height"] / height

    def settle(self, seconds: float = 0.6) -> None:
        """Let the kernel's answers to the last events reach the page."""
        self.run("pass")
        self.page.wait_for_timeout(seconds * 1000)

    def shot(self, name: str, whole_page: bool = False) -> Path:
        target = None if whole_page else self.canvas.locator(OUTPUT_AREA).first
        return screenshot(self.page, f"{self.prefix}_{self.front_end}_{name}.png", target)
