"""End to end in a real browser: Debian's chromium driven by Playwright, the app on localhost.

- Upload a real walking clip on the Walk page: the findings and the annotated video appear.
- Live on the Lift page with a fake webcam (a .y4m this test writes from a real clip; Chromium
  loops it): processed frames and live cues arrive; the processed frame rate and lag are printed.
- Repeated START/STOP: every START must deliver processed frames (streamlit-webrtc 0.79.0 loses
  about 3% of STARTs without the app's guard, see app_pages/app_ui.py).
- Screenshots of every page in a results state go to docs/screenshots/.
Skips loudly when chromium, Playwright or the real footage is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import real_path

pytestmark = [pytest.mark.browser, pytest.mark.real, pytest.mark.model]

REPO = Path(__file__).resolve().parent.parent
# Screenshots go to a temporary folder (tests write nothing into the repository); to refresh the
# committed ones in docs/screenshots, run with POSTURE_SCREENSHOTS=docs/screenshots.
SHOTS = Path(os.environ.get("POSTURE_SCREENSHOTS") or Path(tempfile.gettempdir()) / "posture-screenshots")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
WALK_CLIP = "walk_side/watcharapol_gait_normal_01.mp4"
WEBCAM_CLIP = "lift/yuyoujiang_squat.mp4"
SIT_PHOTO = "sit/nvinay_hunchback.jpg"
REPEATED_STARTS = int(os.environ.get("POSTURE_BROWSER_STARTS", "6"))  # more for a longer soak
STATS = re.compile(r"(\d+) frames analysed · ([\d.]+) frames/s(?: · (\d+) ms per frame)?(?: · lag (-?\d+) ms)?")


def _need_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("BROWSER TESTS SKIPPED: Debian chromium not installed (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("BROWSER TESTS SKIPPED: playwright's Python package is not installed")


def write_y4m(src: Path, out: Path, seconds: float = 4.0, size: tuple[int, int] = (640, 480)) -> Path:
    """A Y4M (I420) fake-webcam file from a real clip, letterboxed to ``size``."""
    import cv2

    from posture.io.video import VideoSource

    w, h = size
    with VideoSource(src) as vs, out.open("wb") as f:
        fps = round(vs.info.fps) or 30
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for k, fr in enumerate(vs):
            if k >= seconds * fps:
                break
            rgb = fr.rgb
            s = min(w / rgb.shape[1], h / rgb.shape[0])
            small = cv2.resize(rgb, (int(rgb.shape[1] * s) // 2 * 2, int(rgb.shape[0] * s) // 2 * 2))
            canvas = np.zeros((h, w, 3), np.uint8)
            y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
            canvas[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
            f.write(b"FRAME\n" + cv2.cvtColor(canvas, cv2.COLOR_RGB2YUV_I420).tobytes())
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _need_browser()
    real_path(WALK_CLIP)
    tmp = tmp_path_factory.mktemp("app")
    port = _free_port()
    env = dict(os.environ, POSTURE_HISTORY=str(tmp / "history.sqlite3"), PYTHONUNBUFFERED="1")
    env.pop("POSTURE_RTC_CONFIGURATION", None)
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"the app exited: {(tmp / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield {"url": url, "tmp": tmp, "log": tmp / "server.log"}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    y4m = write_y4m(real_path(WEBCAM_CLIP), tmp_path_factory.mktemp("cam") / "cam.y4m")
    profile = tmp_path_factory.mktemp("profile")
    with sync_playwright() as p:
        # Playwright refuses --user-data-dir in launch(); a persistent context takes the fresh profile folder.
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, viewport={"width": 1400, "height": 1000},
            args=[f for f in FLAGS if f != "--headless"] + [f"--use-file-for-fake-video-capture={y4m}"],
            permissions=["camera"])
        yield ctx
        ctx.close()


def _analyse(page, timeout_ms: int = 240_000) -> int:
    """Click Analyse until the analysis visibly starts (a click during the upload's rerun can be lost)."""
    started = "text=/Finding the body|Analysing the movement|Drawing on your video|Results for|not available|Could not/"
    clicks = 0
    while clicks < 3:
        clicks += 1
        page.get_by_role("button", name="Analyse").click(timeout=60_000)
        try:
            page.wait_for_selector(started, timeout=20_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: the click was lost, click again
            print(f"\nAnalyse click {clicks} did not start the analysis; clicking again")
    try:
        page.wait_for_selector("text=/Results for|not available in this version|Could not analyse/", timeout=timeout_ms)
    except Exception as e:
        raise AssertionError(f"no results after {clicks} Analyse click(s); page says: {page.inner_text('body')[-1200:]}") from e
    return clicks


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls inside its own container, so "full page" is the viewport: make it tall.
    height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll('section, div'))"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1400, "height": int(min(max(height, 1000), 4000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})


def _open(browser, server, path: str):
    page = browser.new_page()
    page.goto(f"{server['url']}/{path}")
    page.wait_for_selector("h1", timeout=60_000)
    return page


def test_upload_real_walk_shows_findings_and_video(browser, server):
    page = _open(browser, server, "")  # Walk is the default page, at the root URL
    t0 = time.monotonic()
    page.set_input_files("input[type=file]", str(real_path(WALK_CLIP)))
    _analyse(page)
    elapsed = time.monotonic() - t0
    body = page.inner_text("body")
    try:
        import posture.gait.analysis  # noqa: F401

        have_gait = True
    except ImportError:
        have_gait = False
    if not have_gait:
        assert "not available in this version" in body
        _shot(page, "walk_no_analysis")
        pytest.skip("posture.gait.analysis is not there yet: the app said so clearly")
    assert "Results for watcharapol_gait_normal_01.mp4" in body, body[-2000:]
    assert "Findings" in body and re.search(r"Fine|Worth a look|Needs attention|Not assessed", body)
    page.wait_for_selector("video", timeout=30_000)
    ok = page.evaluate("""async () => { const v = document.querySelector('video');
        for (let i = 0; i < 50 && v.readyState < 2; i++) await new Promise(r => setTimeout(r, 200));
        return [v.readyState, v.videoWidth, v.duration]; }""")
    assert ok[0] >= 2 and ok[1] > 0 and ok[2] > 3.0, f"the annotated video does not play: {ok}"
    page.wait_for_selector("canvas, .vega-embed", timeout=30_000)
    print(f"\nwalk upload (landmarks cached): {elapsed:.1f} s from upload to results")
    _shot(page, "walk_results")
    page.close()


def _pose_age_ms(page) -> int | None:
    m = re.search(r"pose (\d+) ms old", page.inner_text("body"))
    return int(m.group(1)) if m else None


def _stats(text: str):
    m = STATS.search(text)
    if not m:
        return None
    return int(m.group(1)), float(m.group(2)), m.group(3) and int(m.group(3)), m.group(4) and int(m.group(4))


def _click_webrtc(page, label: str) -> None:
    frame = page.frame_locator("iframe[title*='webrtc']").first
    frame.get_by_role("button", name=label).click(timeout=30_000)


def _start(page) -> int:
    """Press START until the component takes it (STOP shows); returns the clicks needed.

    A click that lands while the page is still re-rendering the component's iframe is lost (seen
    on the first START after opening a page); that is a lost click, not a failed stream, so it is
    retried here. Once STOP shows, frames must arrive: that is what the tests check.
    """
    frame = page.frame_locator("iframe[title*='webrtc']").first
    for clicks in range(1, 4):
        frame.get_by_role("button", name="START").click(timeout=30_000)
        try:
            frame.get_by_role("button", name="STOP").wait_for(timeout=10_000)
            return clicks
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try the click again
            continue
    raise AssertionError("START never took effect after 3 clicks")


def _wait_frames(page, more_than: int, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = _stats(page.inner_text("body")) or last
        if last and last[0] > more_than:
            return last
        time.sleep(0.25)
    return last


def test_live_webcam_frames_and_cues_arrive(browser, server):
    page = _open(browser, server, "lift")
    page.get_by_role("tab", name="Live on the webcam").click()
    clicks = _start(page)
    first = _wait_frames(page, 0, 30)
    assert first and first[0] > 0, f"no processed frame arrived within 30 s of START ({clicks} click(s) to start)"
    # let it run, then read the steady-state rate from the page
    time.sleep(8)
    s = _wait_frames(page, first[0] + 50, 20)
    body = page.inner_text("body")
    assert s and s[0] > first[0] + 50, f"frames stopped arriving: {s}"
    assert re.search(r"Person in view|Step into view|rep|Rep|Stand|squat|lift|Lift", body)
    age = _pose_age_ms(page)
    print(f"\nlive 640x480 in headless chromium: {s[1]:.1f} processed frames/s, {s[2]} ms per frame in the "
          f"callback (the model runs beside it), pose shown {age} ms older than its frame, "
          f"lag behind the camera {s[3]} ms (p50)")
    cue_latency_ms = (s[2] or 0) + max(s[3] or 0, 0) + (age or 0)
    print(f"cue latency estimate (pose age + callback + queueing; the cue is drawn on the video frame): "
          f"{cue_latency_ms} ms; the side panel text adds up to 1 s (its refresh interval)")
    _shot(page, "lift_live")
    _click_webrtc(page, "STOP")
    page.close()


def test_repeated_start_always_delivers_frames(browser, server):
    page = _open(browser, server, "stretch")
    page.get_by_role("tab", name="Live coach").click()
    results, clicks = [], []
    for k in range(REPEATED_STARTS):
        before = _stats(page.inner_text("body"))
        base = before[0] if before else 0
        clicks.append(_start(page))
        s = _wait_frames(page, base + 3, 30)
        results.append(bool(s and s[0] > base + 3))
        if k == REPEATED_STARTS - 1:
            _shot(page, "stretch_live")
        _click_webrtc(page, "STOP")
        time.sleep(1.0)
    log = server["log"].read_text()
    print(f"\nrepeated START: {sum(results)}/{len(results)} delivered frames (clicks needed: {clicks}); "
          f"false stale-context resets prevented by the guard: {log.count('prevented streamlit-webrtc')}, "
          f"not prevented (guard off): {log.count('NOT prevented')}")
    assert all(results), f"START failed on attempts {[i for i, r in enumerate(results) if not r]}"
    page.close()


def test_sit_photo_upload_shows_the_annotated_photo(browser, server):
    page = _open(browser, server, "sit")
    page.set_input_files("input[type=file]", str(real_path(SIT_PHOTO)))
    _analyse(page)
    body = page.inner_text("body")
    assert "Results for nvinay_hunchback.jpg" in body, body[-1500:]
    page.wait_for_timeout(1000)
    imgs = page.evaluate("() => Array.from(document.querySelectorAll('img'))"
                         ".map(e => [e.naturalWidth, e.alt, e.src.slice(0, 60)])")
    assert any(w >= 300 for w, _, _ in imgs), f"no annotated photo on the page: {imgs}"
    assert re.search(r"Fine|Worth a look|Needs attention|Not assessed", body)
    _shot(page, "sit_results")
    page.close()


def test_screenshots_of_the_other_pages(browser, server):
    for path, name in (("history", "history"), ("about", "about")):
        page = _open(browser, server, path)
        page.wait_for_timeout(1500)
        body = page.inner_text("body")
        if path == "about":
            from posture.report import RED_FLAGS

            assert RED_FLAGS[0] in body and "does not diagnose" in body
        if path == "history":
            assert "watcharapol_gait_normal_01.mp4" in body and not re.search(r"Traceback|Error:", body)
        _shot(page, name)
        page.close()
