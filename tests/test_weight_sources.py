"""Where the SPADE weights come from: a path, a link (a local HTTP server here), Drive, the bundled model.

Nothing touches the network: Drive is gdown.download monkeypatched to raise what gdown raises (or
to write the web page Drive serves), and links point at an http.server on 127.0.0.1 in a thread,
serving small generators that play the official one (as in test_weights.py).
"""

from __future__ import annotations

import contextlib
import os
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from playground_lib import download, generator_choice, weights
from playground_lib.spade import GeneratorConfig, save_random_official_checkpoint

TINY = GeneratorConfig(ngf=4)
QUOTA = (
    "Failed to retrieve file url:\n\n\tToo many users have viewed or downloaded this file recently. Please\n\ttry "
    "accessing the file again later. If the file you are trying to access is\n\tparticularly large or is shared "
    "with many people, it may take up to 24\n\thours to be able to view or download the file.\n\nYou may still be "
    "able to access the file from the browser:\n\n\thttps://drive.google.com/uc?id=X\n\nbut Gdown can't. Please "
    "check connections and permissions."
)
PERMISSION = (
    "Failed to retrieve file url:\n\n\tCannot retrieve the public link of the file. You may need to change\n\tthe "
    "permission to 'Anyone with the link', or have had many accesses. Check FAQ in\n\thttps://github.com/wkentaro/"
    "gdown?tab=readme-ov-file#faq.\n\nYou may still be able to access the file from the browser:"
)
DRIVE_PAGE = b"<!DOCTYPE html><html><head><title>Google Drive - Quota exceeded</title></head><body>...</body></html>"


@pytest.fixture(autouse=True)
def tiny_plays_the_official_generator(monkeypatch, tmp_path):
    monkeypatch.setattr(weights, "OFFICIAL_CONFIG", TINY)
    monkeypatch.setenv(weights.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "local"))  # where downloads land
    monkeypatch.delenv(weights.PATH_ENV, raising=False)
    monkeypatch.delenv(weights.URL_ENV, raising=False)


@pytest.fixture(scope="module")
def generator_files(tmp_path_factory):
    """The small generator as .pth, as our fp16 .safetensors and inside a checkpoints.tar.gz; and another one."""
    folder = tmp_path_factory.mktemp("served")
    pth = save_random_official_checkpoint(folder / "latest_net_G.pth", TINY, seed=1)
    half = weights.convert_to_fp16_safetensors(pth, folder / "half.safetensors")
    archive = folder / "checkpoints.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        tar.add(pth, arcname="checkpoints/ade20k_pretrained/latest_net_G.pth")
    other = save_random_official_checkpoint(folder / "other.pth", GeneratorConfig(ngf=8), seed=2)
    return {"pth": pth, "safetensors": half, "archive": archive, "other": other}


@pytest.fixture
def server(generator_files):
    """An HTTP server on 127.0.0.1: /pth, /safetensors, /archive, /other serve files; /page a web page;
    /big announces more bytes than a weights file can have; anything else is 404. Counts requests."""
    routes = {name: path.read_bytes() for name, path in generator_files.items()}
    routes["page"] = DRIVE_PAGE
    routes["garbage"] = b"\x00not weights" * 100
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.strip("/").split("?")[0]
            requests.append(name)
            if name == "big":
                self.send_response(200)
                self.send_header("Content-Length", str(10 * weights.MAX_ARCHIVE_BYTES))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped reading
                    self.wfile.write(b"x" * 1000)
                return
            if name == "unannounced":  # no Content-Length: only the count while reading can stop it
                self.send_response(200)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(routes["pth"])
                return
            if name not in routes:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(routes[name])))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a size cap stopped the client
                self.wfile.write(routes[name])

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _gdown_raising(monkeypatch, error):
    import gdown

    def refuse(**kwargs):
        raise error

    monkeypatch.setattr(gdown, "download", refuse)


def _http_403():
    import requests

    response = requests.Response()
    response.status_code = 403
    return requests.HTTPError("403 Client Error: Forbidden for url: https://drive.google.com/uc", response=response)


def _paragraph(text: str) -> str:
    """The message of one source: a single paragraph, no traceback, no gdown hints."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text and "gdown" not in text.lower().replace("(gdown gave no file)", "")
    return lines[0]


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (lambda: __import__("gdown").exceptions.FileURLRetrievalError(QUOTA), "too many people have downloaded it"),
        (lambda: __import__("gdown").exceptions.FileURLRetrievalError(PERMISSION), "not shared with everyone"),
        (_http_403, "not shared with everyone"),
        (lambda: ConnectionError("Failed to resolve 'drive.google.com'"), "seems to be offline"),
    ],
    ids=["quota", "permission", "http-403", "offline"],
)
def test_a_drive_refusal_is_one_paragraph_and_the_bundled_model_follows(monkeypatch, capsys, error, said):
    _gdown_raising(monkeypatch, error())
    generator = generator_choice.choose_generator(allow_download=True, names=weights.NOTEBOOK_NAMES)
    assert "bundled" in generator.description
    refusal, using = capsys.readouterr().out.strip().splitlines()
    assert said in _paragraph(refusal) and "NVlabs' checkpoints.tar.gz" in refusal
    assert "ask your facilitator for the room's shared copy" in refusal
    assert "set weights_path (parameters cell, at the top)" in refusal and "--weights" not in refusal
    assert using.startswith("Using the small bundled model")


def test_drive_serving_a_web_page_instead_of_the_file_is_refused_and_deleted(monkeypatch, capsys, tmp_path):
    import gdown

    written = []

    def web_page(id=None, output=None, **kwargs):
        written.append(output)
        with open(output, "wb") as f:
            f.write(DRIVE_PAGE)
        return output

    monkeypatch.setattr(gdown, "download", web_page)
    generator = generator_choice.choose_generator(allow_download=True, names=weights.CLI_NAMES)
    assert "bundled" in generator.description
    refusal = capsys.readouterr().out.strip().splitlines()[0]
    assert "sent a web page instead of NVlabs' checkpoints.tar.gz" in _paragraph(refusal)
    assert "--weights PATH" in refusal and "--weights-url URL" in refusal
    assert written and not any(os.path.exists(path) for path in written)


@pytest.mark.parametrize("kind", ["pth", "safetensors", "archive"])
def test_a_link_a_facilitator_shares_is_downloaded_once_checked_and_kept(server, kind, tmp_path, capsys):
    base, requests = server
    generator = generator_choice.choose_generator(weights_url=f"{base}/{kind}")
    assert "official" in generator.description
    kept = weights.cached_generator()
    assert kept is not None and kept.name == (weights.FP16_FILE if kind == "safetensors" else weights.GENERATOR_FILE)
    assert weights.hash_path(kept).is_file()
    assert list((tmp_path / "local").rglob("*.download")) == []  # the download itself is not left behind
    generator_choice.choose_generator(weights_url=f"{base}/{kind}")  # the next run: from the cache
    assert requests == [kind]


@pytest.mark.parametrize(
    ("route", "said"),
    [
        ("missing", "nothing there (HTTP 404)"),
        ("page", "sent a web page instead of the SPADE weights"),
        ("big", "more than the SPADE weights can be"),
        ("garbage", "serves neither checkpoints.tar.gz"),
        ("other", "not the official ADE20K one"),
    ],
)
def test_a_bad_link_says_why_keeps_nothing_and_falls_through(server, route, said, tmp_path, capsys):
    base, _ = server
    generator = generator_choice.choose_generator(weights_url=f"{base}/{route}")
    assert "bundled" in generator.description
    refusal, using = capsys.readouterr().out.strip().splitlines()
    assert said in _paragraph(refusal)
    assert using.startswith("Using the small bundled model")
    assert not (tmp_path / "cache").exists() or [p for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []
    assert [p for p in (tmp_path / "local").rglob("*") if p.is_file()] == []


def test_a_link_given_on_the_command_line_that_fails_is_an_error(server, tmp_path, capsys):
    from playground_lib.cli import main
    from playground_lib.sketch import bundled_sketches

    base, _ = server
    out = tmp_path / "out.png"
    sketch = str(bundled_sketches()[0])
    assert main(["generate", sketch, str(out), "--weights-url", f"{base}/missing", "--size", "64"]) == 2
    assert "HTTP 404" in capsys.readouterr().err and not out.exists()
    assert main(["generate", sketch, str(out), "--weights-url", f"{base}/pth", "--size", "64"]) == 0
    assert "Using the official NVlabs SPADE ADE20K generator" in capsys.readouterr().out


def test_a_drive_share_link_goes_through_gdown(monkeypatch, generator_files):
    import gdown

    asked = []

    def drive(id=None, output=None, **kwargs):
        asked.append(id)
        with open(output, "wb") as f:
            f.write(generator_files["archive"].read_bytes())
        return output

    monkeypatch.setattr(gdown, "download", drive)
    link = "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view?usp=sharing"
    monkeypatch.setenv(weights.URL_ENV, link)
    assert "official" in generator_choice.choose_generator().description
    assert asked == ["1AbCdEfGhIjKlMnOp"]


def test_drive_file_ids():
    assert download.drive_file_id("https://drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view?usp=sharing") == (
        "1AbCdEfGhIjKlMnOp"
    )
    assert download.drive_file_id("https://drive.google.com/uc?export=download&id=1AbCdEfGhIjKlMnOp") == (
        "1AbCdEfGhIjKlMnOp"
    )
    assert download.drive_file_id("https://example.org/file/d/1AbCdEfGhIjKlMnOp") is None
    assert download.drive_file_id("https://drive.google.com/drive/folders") is None


def test_a_shared_folder_on_drive_by_environment_or_argument(monkeypatch, generator_files, tmp_path, capsys):
    shared = tmp_path / "MyDrive" / "playground_weights"
    (shared / "ade20k_pretrained").mkdir(parents=True)
    (shared / "ade20k_pretrained" / "latest_net_G.pth").write_bytes(generator_files["pth"].read_bytes())
    monkeypatch.setenv(weights.PATH_ENV, str(shared))
    assert "official" in generator_choice.choose_generator().description
    monkeypatch.delenv(weights.PATH_ENV)
    missing = tmp_path / "MyDrive" / "not_shared_with_me"
    generator = generator_choice.choose_generator(str(missing), names=weights.NOTEBOOK_NAMES)
    assert "bundled" in generator.description
    refusal = capsys.readouterr().out.strip().splitlines()[-2]
    assert "not_shared_with_me: no such file or folder" in refusal
    with pytest.raises(weights.WeightsUnavailable, match="no such file or folder"):
        generator_choice.choose_generator(missing, fall_back=False)


def test_notebook_parameters_left_empty_mean_not_set(capsys):
    generator = generator_choice.choose_generator("", weights_url="", names=weights.NOTEBOOK_NAMES)
    assert "bundled" in generator.description


def test_nothing_there_and_no_download_asked_is_one_plain_line(capsys):
    generator_choice.choose_generator()
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Using the small bundled model (trained on our synthetic playgrounds). "
        "The official weights are not here; notebook 05 says how to get them."
    ]


def test_a_download_stopped_by_the_size_cap_leaves_no_file(server, tmp_path, generator_files):
    base, _ = server
    destination = tmp_path / "d" / "file"
    with pytest.raises(download.DownloadFailed, match="more than the file can be"):
        download.http_download(f"{base}/pth", destination, 100, "the file", "Ask for help.", quiet=True)
    assert not destination.exists() and list((tmp_path / "d").iterdir()) == []
    with pytest.raises(download.DownloadFailed, match=r"more than the file can be \(2 MB at most\)"):
        download.http_download(f"{base}/unannounced", destination, 2 * 2**20, "the file", "Ask.", quiet=True)
    assert not destination.exists() and list((tmp_path / "d").iterdir()) == []
    with pytest.raises(download.DownloadFailed, match="not a web address"):
        download.fetch("file:///etc/passwd", destination, 100, "the file", "Ask for help.")
    got = download.http_download(f"{base}/pth", destination, 10**9, "the file", "", quiet=True)
    assert got.read_bytes() == generator_files["pth"].read_bytes()


def test_a_full_disk_during_a_download_is_said_as_such(server, tmp_path, monkeypatch):
    """Not "could not reach the server: offline?": fileio.atomic_path names the file that could not be written."""
    import errno

    from playground_lib.fileio import OutputError

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    base, _ = server
    monkeypatch.setattr(download, "copy_at_most", disk_full)
    destination = tmp_path / "d" / "file"
    with pytest.raises(OutputError, match=r"d/file: cannot be written \(.*\); nothing was written"):
        download.http_download(f"{base}/pth", destination, 10**9, "the file", "", quiet=True)
    assert not destination.exists()
