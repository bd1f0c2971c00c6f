"""End to end in a real browser, as a person with back pain uses the app: Debian's chromium driven by
Playwright, the app on localhost, real dev clips from ../shared/datasets/real.

In the order a person meets them:
- Walk: a real walking clip with the height given: findings, step length and speed, the annotated
  video plays, and every "Over time" chart is drawn at its natural size (measured in a screenshot of
  each chart: a blank or squashed chart fails). A 0.4 s clip says it is too short and what to do.
- Lift: a real squat clip; the user leaves for another page mid-analysis and comes back to the result.
- Sit: a real photo: the annotated photo, "in this photo", no chart.
- Stretch: a real knee-to-chest clip.
- Live stretch coach with a fake camera (a .y4m of a real kneeling hip-flexor photo, looped by
  Chromium, so the stretch is held): the big overlay, spoken cues (checked through the page's record
  of what it spoke), STOP shows a readable summary, and History lists the session.
- Repeated START/STOP: every START must deliver processed frames (streamlit-webrtc 0.79.0 loses about
  3% of STARTs without the app's guard, see app_pages/app_ui.py).
- Live rate and lag, end to end, quiet and under CPU load (bench/bench_live_browser.py, its own browser
  with a 30 frames/s camera).
- No page shows a traceback. Screenshots of every step (see SHOTS).
Skips loudly when chromium, Playwright or the real footage is missing.
"""

from __future__ import annotations

import io
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
         "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
         "--autoplay-policy=no-user-gesture-required"]
WALK_CLIP = "walk_side/watcharapol_gait_normal_01.mp4"
LIFT_CLIP = "lift/yuyoujiang_squat.mp4"
SIT_PHOTO = "sit/nvinay_hunchback.jpg"
STRETCH_CLIP = "stretch/malikmrllh_knee_to_chest_trim.mp4"
WEBCAM_STRETCH = "stretch/freeexdb_Kneeling_Hip_Flexor_0.jpg"  # a held kneeling hip-flexor stretch
REPEATED_STARTS = int(os.environ.get("POSTURE_BROWSER_STARTS", "3"))  # more for a longer soak
STATS = re.compile(r"(\d+) frames analysed · ([\d.]+) frames/s(?: · (\d+) ms per frame)?(?: · lag (-?\d+) ms)?")
RAW_ERROR = re.compile(r"Traceback \(most recent call last\)|File \"/|Error: |Exception: ")
CHART_PX = (900, 260)  # natural size of a chart PNG (posture.plots.CHART_SIZE_IN at CHART_DPI)
LINE_RGB = (0x1F, 0x5F, 0xA8)  # posture.plots.LINE


def _need_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("BROWSER TESTS SKIPPED: Debian chromium not installed (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("BROWSER TESTS SKIPPED: playwright's Python package is not installed")


def write_y4m(src: Path, out: Path, seconds: float = 4.0, size: tuple[int, int] = (640, 480), fps: int | None = None) -> Path:
    """A Y4M (I420) fake-webcam file from a real clip or photo (a photo becomes a still clip), letterboxed."""
    import cv2

    from posture.io.video import iter_media

    w, h = size
    info, frames = iter_media(src)
    fps = fps or round(info.fps) or 30
    with out.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        pics = [fr.rgb for _, fr in zip(range(int(seconds * fps)), frames, strict=False)]
        if info.is_image:
            pics = pics[:1] * int(seconds * fps)
        for rgb in pics:
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
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         # as .streamlit/config.toml has it (not read here: the app runs in a temporary folder); the default
         # polling watcher hashes the source files in the background, a load the user's app does not have
         "--server.fileWatcherType", "none"],
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

    y4m = write_y4m(real_path(WEBCAM_STRETCH), tmp_path_factory.mktemp("cam") / "cam.y4m", seconds=1.0, fps=10)
    profile = tmp_path_factory.mktemp("profile")
    with sync_playwright() as p:
        # Playwright refuses --user-data-dir in launch(); a persistent context takes the fresh profile folder.
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, viewport={"width": 1400, "height": 1000},
            args=[f for f in FLAGS if f != "--headless"] + [f"--use-file-for-fake-video-capture={y4m}"],
            permissions=["camera"])
        yield ctx
        ctx.close()


# ----------------------------------------------------------------------------- helpers
def _body(page) -> str:
    return page.inner_text("body")


def _no_raw_error(page, where: str) -> str:
    body = _body(page)
    m = RAW_ERROR.search(body)
    assert not m, f"{where}: the page shows a raw error: ...{body[max(0, m.start() - 300):m.end() + 300]}"
    return body


def _click_analyse(page) -> int:
    """Click Analyse until the analysis visibly starts (a click during the upload's rerun can be lost)."""
    started = "text=/Finding your body|Analysing the movement|Drawing on your|Results for|What to do/"
    for clicks in range(1, 4):
        page.get_by_role("button", name="Analyse").click(timeout=60_000)
        try:
            page.wait_for_selector(started, timeout=20_000)
            return clicks
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: the click was lost, click again
            print(f"\nAnalyse click {clicks} did not start the analysis; clicking again")
    raise AssertionError("the analysis never started after 3 clicks")


def _wait_results(page, timeout_ms: int = 300_000, settle_ms: int = 1500) -> None:
    """Until the findings (or a problem) are on the page; the video and reports may still be coming."""
    try:
        page.wait_for_selector("text=/Results for|What to do:/", timeout=timeout_ms)
    except Exception as e:
        raise AssertionError(f"no results; the page says: {_body(page)[-1500:]}") from e
    page.wait_for_timeout(settle_ms)  # images and charts finish loading


def _wait_complete(page, timeout_ms: int = 120_000) -> None:
    """Until everything made after the findings is on the page: the PDF report is the last part."""
    try:
        page.get_by_role("button", name="Report (PDF)").wait_for(timeout=timeout_ms)
    except Exception as e:
        raise AssertionError(f"the reports never arrived; the page says: {_body(page)[-1500:]}") from e
    page.wait_for_timeout(1500)  # images and charts finish loading


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls inside its own container, so "full page" is the viewport: make it tall.
    height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll('section, div'))"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1400, "height": int(min(max(height, 1000), 6000))})
    page.wait_for_timeout(800)
    out = SHOTS / f"{name}.png"
    page.screenshot(path=str(out))
    page.set_viewport_size({"width": 1400, "height": 1000})
    return out


def drawn_area(png: bytes) -> tuple[int, int, int]:
    """(width, height) of the box around everything drawn (not white) and the number of line-coloured pixels."""
    from matplotlib.image import imread

    img = (imread(io.BytesIO(png))[..., :3] * 255).astype(int)
    drawn = (img < 235).any(axis=2)
    line = (np.abs(img - np.array(LINE_RGB)) < 45).all(axis=2)
    if not drawn.any():
        return 0, 0, 0
    ys, xs = np.nonzero(drawn)
    return int(xs.max() - xs.min()), int(ys.max() - ys.min()), int(line.sum())


def _check_charts(page, expect_at_least: int) -> list[tuple[int, int, int, int, int]]:
    """Every chart on the page is drawn at its natural shape and not blank: measured in a screenshot of each."""
    found = []
    for i in range(page.locator("img").count()):
        img = page.locator("img").nth(i)
        nat = img.evaluate("e => [e.naturalWidth, e.naturalHeight]")
        if tuple(nat) != CHART_PX or not img.is_visible():
            continue
        img.scroll_into_view_if_needed()
        box = img.bounding_box()
        w, h = int(box["width"]), int(box["height"])
        dw, dh, line = drawn_area(img.screenshot())
        found.append((w, h, dw, dh, line))
        assert w >= 500 and abs(h / w - CHART_PX[1] / CHART_PX[0]) < 0.03, f"chart {i} squashed: shown {w}x{h} px"
        assert dw >= 0.85 * w and dh >= 0.7 * h, f"chart {i} mostly blank: drawn {dw}x{dh} of {w}x{h} px"
        assert line >= 0.002 * w * h, f"chart {i} has no visible line ({line} px of the line colour)"
    assert len(found) >= expect_at_least, f"expected at least {expect_at_least} charts, found {len(found)}"
    return found


def _open(browser, server, path: str):
    page = browser.new_page()
    page.goto(f"{server['url']}/{path}")
    page.wait_for_selector("h1", timeout=60_000)
    return page


def _upload(page, path: Path) -> None:
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.wait_for_selector("button:has-text('Analyse')", timeout=60_000)


# ----------------------------------------------------------------------------- uploads
def test_walk_shows_findings_numbers_video_and_readable_charts(browser, server):
    page = _open(browser, server, "")  # Walk is the default page, at the root URL
    page.wait_for_selector("text=How to film it", timeout=30_000)  # the camera set-up sits beside the upload box
    height = page.get_by_label(re.compile("Your height in cm"))
    height.fill("175")
    height.press("Enter")
    page.wait_for_timeout(800)
    _upload(page, real_path(WALK_CLIP))
    t0 = time.monotonic()
    _click_analyse(page)
    _wait_results(page, settle_ms=0)
    findings_s = time.monotonic() - t0
    # the page is still streaming in: wait for what stands where the video goes (placeholder or video)
    page.wait_for_selector("text=/Drawing the pose on your video|Download annotated video/", timeout=60_000)
    early = _no_raw_error(page, "walk findings")
    # the findings come first; the annotated video is drawn after them (issue 15)
    assert page.locator("video").count() == 0 and "Drawing the pose on your video" in early, early[-1500:]
    _shot(page, "walk_findings_first")
    _wait_complete(page)
    elapsed = time.monotonic() - t0
    body = _no_raw_error(page, "walk results")
    assert "Results for watcharapol_gait_normal_01.mp4" in body, body[-2000:]
    assert re.search(r"things? to work on|Nothing flagged in the \d+ checks|Could not judge most checks", body)
    assert "Step length" in body and "Walking speed" in body and "km/h" in body
    assert "_deg" not in body and "0.000000" not in body
    page.wait_for_selector("video", timeout=30_000)
    ok = page.evaluate("""async () => { const v = document.querySelector('video');
        for (let i = 0; i < 50 && v.readyState < 2; i++) await new Promise(r => setTimeout(r, 200));
        return [v.readyState, v.videoWidth, v.duration]; }""")
    assert ok[0] >= 2 and ok[1] > 0 and ok[2] > 3.0, f"the annotated video does not play: {ok}"
    charts = _check_charts(page, expect_at_least=2)
    print(f"\nwalk upload (landmarks cached): click to findings {findings_s:.1f} s, to video and reports "
          f"{elapsed:.1f} s; charts shown x drawn "
          f"(w, h, drawn w, drawn h, line px): {charts}")
    _shot(page, "walk_results")
    page.close()


def test_a_short_clip_says_it_is_too_short_and_what_to_do(browser, server, tmp_path):
    from posture.io.video import iter_media
    from tests.media import write_video

    _, frames = iter_media(real_path(WALK_CLIP))
    clip = [fr.rgb for k, fr in zip(range(62), frames, strict=False) if k >= 50]  # 12 frames: 0.4 s
    short = write_video(tmp_path / "short_walk.mp4", clip, fps=30.0)
    page = _open(browser, server, "")
    _upload(page, short)
    _click_analyse(page)
    _wait_results(page, 120_000)
    body = _no_raw_error(page, "0.4 s clip")
    assert "What to do" in body and re.search(r"too short|not enough|Film again", body), body[-1500:]
    _shot(page, "walk_short_clip")
    page.close()


def test_a_photo_on_the_walk_page_is_refused_plainly(browser, server):
    page = _open(browser, server, "")
    page.wait_for_selector("text=How to film it", timeout=30_000)
    _upload(page, real_path(SIT_PHOTO))
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector("text=What to do", timeout=30_000)
    body = _no_raw_error(page, "photo on the Walk page")
    assert "nvinay_hunchback.jpg is a photo" in body and "Results for" not in body, body[-800:]
    _shot(page, "walk_photo_refused")
    page.close()


def test_lift_keeps_going_when_you_leave_the_page(browser, server):
    page = _open(browser, server, "lift")
    _upload(page, real_path(LIFT_CLIP))
    _click_analyse(page)
    page.get_by_role("link", name="About").click()  # leave mid-analysis
    page.wait_for_selector("h1:has-text('About posture')", timeout=30_000)
    page.wait_for_timeout(1000)
    away = _body(page)
    page.get_by_role("link", name="Lift").click()
    _wait_results(page)
    body = _no_raw_error(page, "lift results")
    assert "Results for yuyoujiang_squat.mp4" in body, body[-1500:]
    assert "REBA" in body
    _wait_complete(page)
    note = "Analysing yuyoujiang_squat.mp4" in away or "ready" in away
    print(f"\nlift: left for About mid-analysis (sidebar note seen: {note}); the result was waiting on return")
    _check_charts(page, expect_at_least=2)
    _shot(page, "lift_results")
    page.close()


def test_sit_photo_shows_the_annotated_photo_and_no_chart(browser, server):
    page = _open(browser, server, "sit")
    _upload(page, real_path(SIT_PHOTO))
    _click_analyse(page)
    _wait_results(page)
    _wait_complete(page)
    body = _no_raw_error(page, "sit results")
    assert "Results for nvinay_hunchback.jpg" in body, body[-1500:]
    imgs = page.evaluate("() => Array.from(document.querySelectorAll('img')).map(e => [e.naturalWidth, e.naturalHeight])")
    assert any(w >= 300 for w, _ in imgs), f"no annotated photo on the page: {imgs}"
    assert not [i for i in imgs if tuple(i) == CHART_PX], "a photo has no 'over time' chart"
    results = body.split("Results for nvinay_hunchback.jpg")[1]
    assert "Over time" not in results and "in this video" not in results and "this clip" not in results
    _shot(page, "sit_results")
    page.close()


def test_stretch_clip_shows_holds_and_what_to_fix(browser, server):
    page = _open(browser, server, "stretch")
    page.get_by_role("tab", name="From a video or photo").click()
    _upload(page, real_path(STRETCH_CLIP))
    _click_analyse(page)
    _wait_results(page)
    _wait_complete(page)
    body = _no_raw_error(page, "stretch results")
    assert "Results for malikmrllh_knee_to_chest_trim.mp4" in body, body[-1500:]
    assert re.search(r"Holds|Stretch", body)
    _check_charts(page, expect_at_least=1)
    _shot(page, "stretch_results")
    page.close()


# ----------------------------------------------------------------------------- live
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
        last = _stats(_body(page)) or last
        if last and last[0] > more_than:
            return last
        time.sleep(0.25)
    return last


def test_live_stretch_coach_holds_speaks_stops_and_saves(browser, server):
    page = _open(browser, server, "stretch")
    page.get_by_role("tab", name="Live coach").click()
    _start(page)
    first = _wait_frames(page, 0, 40)
    assert first and first[0] > 0, "no processed frame arrived within 40 s of START"
    held, shot_taken, deadline = 0, False, time.monotonic() + 120
    while time.monotonic() < deadline:  # hold the stretch until the coach counts 30 s in form
        m = re.search(r"(\d+) / 30 s", _body(page))
        held = int(m.group(1)) if m else held
        if held >= 15 and not shot_taken:
            _shot(page, "stretch_live")
            shot_taken = True
        if held >= 31:
            break
        time.sleep(1.0)
    spoken = page.evaluate("() => window.__postureSpoken || []")
    s = _stats(_body(page))
    print(f"\nlive stretch coach: held {held} s in form; spoken: {spoken}; {s and s[1]:.1f} processed frames/s")
    assert held >= 20, f"the held stretch was not timed: {_body(page)[-1200:]}"
    assert spoken, "nothing was spoken (the page keeps a record in window.__postureSpoken)"
    assert any("seconds left" in x for x in spoken), spoken
    _click_webrtc(page, "STOP")
    page.wait_for_selector("text=Your session", timeout=30_000)
    try:
        page.wait_for_selector("text=/Saved to History|Not saved|Nothing was recorded/", timeout=20_000)
    except Exception:  # noqa: BLE001 - the assertion below reports what the page says
        pass
    page.wait_for_timeout(1000)
    body = _no_raw_error(page, "live summary")
    assert re.search(r"Holds.*of 4 done · seconds in good form: \d+ s", body, re.S), body.split("Your session")[-1][:1500]
    assert "Saved to History" in body and "{" not in body.split("Your session")[1][:600]
    _shot(page, "stretch_live_summary")
    page.close()


def test_live_lift_frames_and_cues_arrive(browser, server):
    page = _open(browser, server, "lift")
    page.get_by_role("tab", name="Live on the webcam").click()
    clicks = _start(page)
    first = _wait_frames(page, 0, 30)
    assert first and first[0] > 0, f"no processed frame arrived within 30 s of START ({clicks} click(s) to start)"
    time.sleep(5)
    s = _wait_frames(page, first[0] + 30, 20)
    assert s and s[0] > first[0] + 30, f"frames stopped arriving: {s}"
    print(f"\nlive 640x480 in headless chromium (a 10 frames/s fake camera: the rate and end-to-end lag are "
          f"measured by test_live_rate_and_lag_...): {s[1]:.1f} processed frames/s, {s[2]} ms per frame in the "
          f"callback, delay added in the app {s[3]} ms (p50)")
    _click_webrtc(page, "STOP")
    page.close()


def test_repeated_start_always_delivers_frames(browser, server):
    page = _open(browser, server, "stretch")
    page.get_by_role("tab", name="Live coach").click()
    results, clicks = [], []
    for _ in range(REPEATED_STARTS):
        before = _stats(_body(page))
        base = before[0] if before else 0
        clicks.append(_start(page))
        s = _wait_frames(page, base + 3, 30)
        results.append(bool(s and s[0] > base + 3))
        _click_webrtc(page, "STOP")
        time.sleep(1.0)
    log = server["log"].read_text()
    print(f"\nrepeated START: {sum(results)}/{len(results)} delivered frames (clicks needed: {clicks}); "
          f"false stale-context resets prevented by the guard: {log.count('prevented streamlit-webrtc')}, "
          f"not prevented (guard off): {log.count('NOT prevented')}")
    assert all(results), f"START failed on attempts {[i for i, r in enumerate(results) if not r]}"
    page.close()


def test_live_rate_and_lag_in_the_browser_quiet_and_under_load(server):
    """bench/bench_live_browser.py against this app: its own Chromium with a 30 frames/s 640x480 camera whose
    frames carry their number, so lag is measured end to end (camera capture to the returned frame shown),
    first on this machine as it is, then with 4 CPU burners per core. Prints the figures; asserts only what
    must hold on any machine: frames keep arriving under load, the lag stays bounded (frames are dropped,
    not queued: before, it grew by about 0.25 s every second), and the busy message is shown when the
    feedback delay is over the budget."""
    import json

    burn = 4 * (os.cpu_count() or 2)
    out = subprocess.run([sys.executable, str(REPO / "bench" / "bench_live_browser.py"), "--url", server["url"],
                          "--seconds", "12", "--burn", str(burn), "--json"], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    print("\n" + "\n".join(ln for ln in out.stdout.splitlines() if not ln.startswith("JSON ")))
    phases = json.loads(next(ln for ln in out.stdout.splitlines() if ln.startswith("JSON "))[5:])
    quiet, loaded = phases["quiet"], phases[f"{burn} CPU burners"]
    for name, r in (("quiet", quiet), ("under load", loaded)):
        assert r["processed_fps"] > 1 and r["shown_fps"] > 1, f"{name}: frames stopped arriving: {r}"
        assert r["lag_samples"] >= 10, f"{name}: too few returned frames could be matched to the camera: {r}"
        late = [x for x in r["lag_ms_each_s"][-4:] if x is not None]
        assert r["lag_ms_p90"] < 1500 and late and max(late) < 1500, (
            f"{name}: the lag is not bounded (frames queued up?): {r['lag_ms_each_s']} ms, second by second")
    assert quiet["appear_ms"], "no skeleton was ever drawn after the person stepped into view"
    budget_ms = 300  # posture.webcam.WebcamProcessor.max_lag_s
    if loaded["feedback_ms_p50"] > 1.5 * budget_ms:
        assert loaded["busy_shown_share"] > 0, (f"feedback {loaded['feedback_ms_p50']:.0f} ms behind under load, "
                                                "but the page never said the computer is busy")


# ----------------------------------------------------------------------------- history and about
def test_history_shows_progress_and_the_live_session_and_about(browser, server):
    page = _open(browser, server, "history")
    page.wait_for_timeout(2000)
    body = _no_raw_error(page, "history")
    assert "watcharapol_gait_normal_01.mp4" in body and "live session" in body.lower()
    assert "•" not in body
    _shot(page, "history")
    # reopen the walk in full
    page.get_by_test_id("stRadioGroup").get_by_text("Walking", exact=True).click()
    page.wait_for_timeout(1500)
    combo = page.get_by_role("combobox", name="Result")
    combo.click()
    combo.fill("watcharapol")  # the select box filters as you type; Enter takes the match
    page.wait_for_timeout(800)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=/Results for watcharapol/", timeout=30_000)
    page.wait_for_timeout(1500)
    _no_raw_error(page, "reopened report")
    _check_charts(page, expect_at_least=3)  # the reopened report's charts (trunk lean, head forward, head pitch)
    _shot(page, "history_reopened")
    page.close()
    page = _open(browser, server, "about")
    page.wait_for_timeout(1000)
    from posture.report import RED_FLAGS

    body = _body(page)
    assert RED_FLAGS[0] in body and "does not diagnose" in body
    _shot(page, "about")
    page.close()
