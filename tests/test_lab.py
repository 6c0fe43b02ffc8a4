"""JupyterLab as a user meets it, in a real browser (Debian's chromium, driven by Selenium).

One JupyterLab server is started on a free localhost port with a token, over a copy of
``notebooks/`` whose ``04_random_sampling`` is switched to smoke mode. The browser opens that
notebook, runs all cells from the Run menu, waits for the explorer panel, moves its class-code,
content-noise and training-image sliders and picks another run, checking each time that the
picture changed; the outputs must hold no warning, error or stray repr.
Screenshots of the notebook and of the panel go to ``<build folder>/lab/``; with
``GLO_LAB_SCREENSHOT=<file>`` (``make lab-screenshot``) the README's screenshot is written too,
with a sidecar ``<file>.json`` listing the notebook names it shows (read from the file browser
and the tab bar), which ``tests/test_screenshots.py`` checks against ``notebooks/``.
The server, its kernels and the browser are shut down whatever happens.

Marked ``browser``: skipped, with the reason, where chromium, chromedriver, Selenium or
JupyterLab cannot be found (``make test`` installs all four; ``pytest -m "not browser"`` leaves it out).
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import psutil
import pytest

from glo_lib.paths import build_dir

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "04_random_sampling.ipynb"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# `make lab-screenshot` sets GLO_LAB_SCREENSHOT: the README's picture, from the notebook's own
# parameters (trained from an empty cache, a few minutes) rather than smoke mode's blurs
SCREENSHOT = os.environ.get("GLO_LAB_SCREENSHOT")
RUN_ALL_TIMEOUT = 900 if SCREENSHOT else 300  # seconds; smoke: 55-65 s measured with 2 busy cores

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
    import jupyterlab  # noqa: F401  (the server is started as `python -m jupyterlab`)
    MISSING = ""
except ImportError as exc:  # pragma: no cover - depends on the environment
    MISSING = f"{exc.name} is not installed (pip install -e '.[test]')"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                       reason="chromium and chromedriver not found: install Debian's chromium and "
                              "chromium-driver (make sysdeps does, as root)"),
    pytest.mark.skipif(bool(MISSING), reason=MISSING),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smoke_copy(folder: Path, smoke: bool = True) -> Path:
    """A copy of notebooks/ with 04's parameters cell switched to smoke mode."""
    shutil.copytree(ROOT / "notebooks", folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    if not smoke:
        return folder
    nb = nbformat.read(str(folder / NOTEBOOK), as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source, n = re.subn(r"^smoke: bool = False", "smoke: bool = True", cell.source, flags=re.M)
    assert n == 1, "04's parameters cell has no `smoke: bool = False` line"
    nbformat.write(nb, str(folder / NOTEBOOK))
    return folder


def _api(base: str, token: str, path: str, method: str = "GET"):
    req = urllib.request.Request(f"{base}{path}", method=method,
                                 headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        body = resp.read()
    return json.loads(body) if body else None


class Lab:
    """A JupyterLab server in its own session, stopped (kernels included) by ``stop``."""

    def __init__(self, root_dir: Path, home: Path):
        self.token, self.port = secrets.token_hex(16), _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        settings = home / "user-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        # no news or update checks (there is no network); the toast asking about them stays away
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
                   JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
                   GLO_BUILD_DIR=str(home / "build"))
        env.pop("MPLBACKEND", None)  # the kernel gets JupyterLab's inline backend, as a user's does
        env.pop("GLO_REPORT_BUILD", None)
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}",
               "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--ServerApp.token={self.token}",
               f"--ServerApp.root_dir={root_dir}", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabApp.user_settings_dir={home / 'user-settings'}",
               f"--LabApp.workspaces_dir={home / 'workspaces'}"]
        if os.name == "posix" and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = home / "jupyterlab.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                _api(self.base, self.token, "/api/status")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        pytest.fail(f"JupyterLab did not answer within {timeout:g} s:\n{self.log_tail()}")

    def log_tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def stop(self) -> None:
        """Shut the server down through its API (it stops its kernels), then make sure: every
        process it started (kernels run in sessions of their own) and the server itself."""
        try:
            started = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            started = []
        try:
            _api(self.base, self.token, "/api/shutdown", method="POST")
            self.proc.wait(timeout=20)
        except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        for p in started:
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(started, timeout=10)


def _browser(profile: Path):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-default-browser-check", "--window-size=1400,900",
                "--force-device-scale-factor=1", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


# What the page says, read in one script each (the notebook renders every cell, offscreen ones too).
PROMPTS_JS = """return Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt'))
                 .map(e => e.textContent.trim());"""
STATUS_JS = """const e = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
               return e ? e.getAttribute('data-status') : null;"""
KERNEL_JS = """const e = Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
                 .find(e => / \\| \\w+$/.test(e.textContent.trim()));
               return e ? e.textContent.trim() : null;"""  # the status bar's "Python 3 (ipykernel) | Idle"
EXPLORER_IMG_JS = """const img = document.querySelector('.jp-OutputArea-output .widget-vbox img.widget-image');
                     return img && img.naturalWidth > 0 ? img.src : null;"""
ERRORS_JS = """return Array.from(document.querySelectorAll(
                 '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
                 .map(e => e.textContent.trim().slice(-1500));"""
PROGRESS_JS = "return document.querySelectorAll('.jp-OutputArea-output .widget-hprogress').length;"
STATUS_LINE_JS = """const l = document.querySelectorAll('.jp-OutputArea-output .widget-vbox > .widget-label');
                    return l.length ? l[l.length - 1].textContent : null;"""
# the names a screenshot shows: the file browser's rows and the main area's tabs (full names, where
# the page truncates them with an ellipsis), only those laid out on the page
SHOWN_NAMES_JS = """const names = sel => Array.from(document.querySelectorAll(sel))
                      .filter(e => e.getClientRects().length > 0).map(e => e.textContent.trim());
                    return {file_browser: names('.jp-FileBrowser .jp-DirListing-content .jp-DirListing-itemText'),
                            tabs: names('.lm-DockPanel-tabBar .lm-TabBar-tabLabel')};"""
BAD_OUTPUTS_JS = """const sel = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
                 + '.jp-OutputArea-output[data-mime-type="text/plain"], .jp-OutputArea-executeResult';
                 return Array.from(document.querySelectorAll(sel)).map(e => e.textContent.trim().slice(0, 300));"""


def _wait(driver, what: str, timeout: float, condition):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25).until(lambda d: condition(d))
    except TimeoutException:
        shot = build_dir() / "lab" / "failure.png"
        driver.save_screenshot(str(shot))
        pytest.fail(f"timed out after {timeout:g} s waiting for {what}; prompts "
                    f"{driver.execute_script(PROMPTS_JS)}, kernel {driver.execute_script(STATUS_JS)!r}, "
                    f"outputs {driver.execute_script(BAD_OUTPUTS_JS)}; screenshot {shot}")


def _finished(driver, bars: list) -> bool:
    """Run All Cells is done: every code cell numbered and the kernel idle (fails at once on an error).
    Appends the number of progress bars on the page to ``bars`` (training's close when done)."""
    bars.append(driver.execute_script(PROGRESS_JS))
    errors = driver.execute_script(ERRORS_JS)
    assert not errors, f"a cell wrote to stderr or raised:\n{errors[0]}"
    prompts = driver.execute_script(PROMPTS_JS)
    return (bool(prompts) and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
            and driver.execute_script(STATUS_JS) == "idle")


def _redraw(driver, before: str, what: str, timeout: float, status: str = "") -> tuple[str, float]:
    """Wait for the explorer's picture to differ from ``before`` and its status line (updated just
    after the picture) to hold ``status``: (the picture's new src, seconds taken)."""
    t = time.monotonic()
    after = _wait(driver, what, timeout,
                  lambda d: (src := d.execute_script(EXPLORER_IMG_JS)) and src != before
                  and status in (d.execute_script(STATUS_LINE_JS) or "") and src)
    return after, time.monotonic() - t


def _menu(driver, menu: str, label: str) -> None:
    """Click ``menu`` in the menu bar, then its entry ``label`` (as a user does)."""
    item = next(e for e in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
                if e.text.strip() == menu)
    item.click()
    entry = _wait(driver, f"{menu} > {label}", 10, lambda d: next(
        (e for e in d.find_elements(By.CSS_SELECTOR, ".lm-Menu .lm-Menu-itemLabel")
         if e.get_attribute("textContent").strip() == label), None))
    entry.click()


def _slider(driver, label: str):
    for box in driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output .widget-vbox .widget-slider"):
        if box.find_element(By.CSS_SELECTOR, ".widget-label").get_attribute("textContent").strip() == label:
            return box
    return None


def _record_names(png: Path, shown: dict) -> None:
    """``png``'s sidecar ``.json``: the names the picture shows (``SHOWN_NAMES_JS``) and the picture's
    checksum, so that a test can tell when the picture names notebooks that no longer exist."""
    record = {"screenshot": png.name, "sha256": hashlib.sha256(png.read_bytes()).hexdigest(),
              "taken": datetime.date.today().isoformat(), "made_by": "make lab-screenshot", **shown}
    png.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")


def test_lab_runs_notebook_04_and_its_explorer_follows_the_panel(tmp_path):
    shots = build_dir() / "lab"
    shots.mkdir(parents=True, exist_ok=True)
    (shots / "failure.png").unlink(missing_ok=True)
    lab = Lab(_smoke_copy(tmp_path / "notebooks", smoke=not SCREENSHOT), tmp_path / "lab")
    driver = None
    try:
        lab.wait_ready()
        driver = _browser(tmp_path / "chromium-profile")
        t0 = time.monotonic()
        driver.get(f"{lab.base}/lab/tree/{NOTEBOOK}?token={lab.token}")
        # the execution indicator reads "idle" before a kernel is attached: wait for the status bar
        _wait(driver, "the notebook and its kernel", 90, lambda d: len(d.execute_script(PROMPTS_JS)) > 5
              and re.fullmatch(r"Python 3 \(ipykernel\) \| Idle", d.execute_script(KERNEL_JS) or ""))
        assert not driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog"), "a dialog stands in the way"
        n_code = len(driver.execute_script(PROMPTS_JS))

        _menu(driver, "Run", "Run All Cells")
        seen: list[int] = []
        _wait(driver, "Run All Cells to finish", RUN_ALL_TIMEOUT, lambda d: _finished(d, seen))
        ran_s = time.monotonic() - t0
        prompts = driver.execute_script(PROMPTS_JS)
        assert len(prompts) == n_code and [int(p[1:-2]) for p in prompts] == list(range(1, n_code + 1))
        before = _wait(driver, "the explorer's picture", 30, lambda d: d.execute_script(EXPLORER_IMG_JS))

        # what the notebook shows: no warnings, tracebacks or stray reprs (such as `True`, `<Figure ...>`)
        assert driver.execute_script(BAD_OUTPUTS_JS) == []
        bars = max(seen)  # tqdm's notebook bars, seen while the cells ran (smoke mode trains without)
        assert bars or not SCREENSHOT, "training showed no progress bar"
        assert driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output img"), "no figure shown inline"
        figure = driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output img")[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", figure)
        time.sleep(0.5)
        driver.save_screenshot(str(shots / "notebook.png"))

        # the panel: move the class slider one step with the keyboard, as a user can
        slider = _slider(driver, "class code")
        assert slider is not None, "the explorer has no `class code` slider"
        readout = slider.find_element(By.CSS_SELECTOR, ".widget-readout")
        old = int(readout.get_attribute("textContent"))
        handle = slider.find_element(By.CSS_SELECTOR, ".noUi-handle")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", handle)
        handle.click()
        handle.send_keys(Keys.ARROW_RIGHT if old < 9 else Keys.ARROW_LEFT)
        after, redraw_s = _redraw(driver, before, "the explorer to redraw for the class slider", 60)
        assert int(readout.get_attribute("textContent")) == (old + 1 if old < 9 else old - 1)
        assert redraw_s < 10, f"a cached run took {redraw_s:.1f} s to redraw"  # 0.8-1.6 s with 2 busy cores
        panel = slider.find_element(By.XPATH, "./ancestor::div[contains(@class, 'widget-vbox')][1]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'end'});", panel)
        time.sleep(0.5)
        panel.screenshot(str(shots / "explorer_panel.png"))
        driver.save_screenshot(str(shots / "explorer.png"))
        shown = driver.execute_script(SHOWN_NAMES_JS)  # what the picture shows beside the notebook
        assert NOTEBOOK in shown["tabs"] and {n for n in shown["file_browser"] if n.endswith(".ipynb")} == {
            p.name for p in (ROOT / "notebooks").glob("*.ipynb")}, f"names shown: {shown}"
        if SCREENSHOT:
            shutil.copyfile(shots / "explorer.png", SCREENSHOT)
            _record_names(Path(SCREENSHOT), shown)

        # the noise slider, then another run of the sweep (loaded, or trained, when picked)
        noise = _slider(driver, "content noise").find_element(By.CSS_SELECTOR, ".noUi-handle")
        noise.click()
        noise.send_keys(Keys.ARROW_RIGHT)
        after, noise_s = _redraw(driver, after, "the explorer to redraw for the noise slider", 60,
                                 status="content noise std 0.05 ")
        image = _slider(driver, "training image").find_element(By.CSS_SELECTOR, ".noUi-handle")
        image.click()
        image.send_keys(Keys.ARROW_RIGHT)
        after, _ = _redraw(driver, after, "the explorer to redraw for the training-image slider", 60,
                           status=": image 1 is a ")
        choice = driver.find_element(By.CSS_SELECTOR, ".jp-OutputArea-output .widget-vbox .widget-dropdown select")
        Select(choice).select_by_visible_text("sigma = 0")
        _redraw(driver, after, "the explorer to show the run with sigma 0", RUN_ALL_TIMEOUT,
                status="(training sigma 0)")
        assert driver.execute_script(BAD_OUTPUTS_JS) == []  # the panel's callbacks left nothing behind
        print(f"\nJupyterLab: opened and ran {NOTEBOOK} ({'full' if SCREENSHOT else 'smoke'}) in "
              f"{ran_s:.1f} s (at most {bars} progress bars at once); the explorer redrew {redraw_s:.2f} s "
              f"after a key on the class slider, {noise_s:.2f} s on the noise slider; screenshots in {shots}")
    finally:
        try:
            if driver is not None:
                driver.quit()
        finally:
            lab.stop()
