"""Benchmark: the live webcam coach in a real browser, end to end, quiet and under CPU load.

Usage:  .venv/bin/python bench/bench_live_browser.py [--url http://127.0.0.1:8501] [--page lift]
            [--clip lift/yuyoujiang_squat.mp4] [--seconds 15] [--burn 4] [--json]

Headless Chromium (Playwright) gets a fake 30 frames/s 640x480 camera made from a real dev clip
(5 s, looped by Chromium): 1 s with nobody in view, then 4 s of the clip. Every camera frame carries
its number as a column of black and white blocks at the left edge, so the browser can tell which
camera frame each frame it gets back from the app shows. The app is started here (or ``--url``
points at a running one); the page's live tab is STARTed and measured for ``--seconds`` on a
quiet machine, then again with ``--burn`` processes spinning on the CPU.

Measured in the browser, on one clock (``requestVideoFrameCallback`` on the camera and on the
returned video), so the whole chain counts: browser encode, network, aiortc decode, the app's
callback (pose, analyser, drawing), aiortc encode, browser decode and display:
- camera frames/s, and new frames shown/s (returned frames showing a newer camera frame);
- lag: display time of a returned frame minus the capture time of the camera frame it shows;
- appearance latency: the person steps into view (first camera frame of the clip) until a frame
  with the skeleton drawn on it is shown: the first feedback, including the model finding the person;
- feedback delay: lag plus the age of the pose drawn on the frame (the page's "pose N ms old"),
  the delay of a cue drawn on the video.
From the page: processed frames/s (frames the model finished, from "N frames analysed"), the
server's own lag estimate, and whether "Your computer is busy: feedback is delayed" was shown.
Prints ``uptime`` load averages before and after each phase. Run it under the team's CPU lock.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
REAL = REPO.parent / "shared" / "datasets" / "real"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
         "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"]
TABS = {"lift": "Live on the webcam", "stretch": "Live coach", "sit": "Live"}
BUSY = "Your computer is busy: feedback is delayed"
PAGE_STATS = re.compile(r"(\d+) frames analysed · ([\d.]+) frames/s(?: · (\d+) ms per frame)?(?: · lag (-?\d+) ms)?"
                        r"(?: · pose (\d+) ms old)?(?: · (\d+) camera frames)?")

# The frame-number mark: a column of blocks at the right edge, in 640x480 pixels, clear of the live
# overlay (headline and cue at the top, busy note bottom-left, hold countdown bottom-right). Top to bottom: a white
# and a black guard block (the reference levels), INDEX_BITS bits of the frame number (most significant
# first), then an even-parity block. Blocks are large so they survive VP8 at webcam bit rates.
MARK = {"x": 608, "y": 224, "w": 24, "bh": 12, "bits": 8, "W": 640, "H": 480}
FPS = 30
LOOP_S = 5.0
BLANK_S = 1.0  # nobody in view at the start of each loop: the person "steps in" at frame K0
K0 = int(BLANK_S * FPS)
SKELETON_FROM, SKELETON_TO = K0 - 6, K0 + 45  # frames checked for a drawn skeleton (costly, so only near K0)


def marked_y4m(src: Path, out: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """The fake camera: ``BLANK_S`` s black then the clip, letterboxed to ``size``, each frame marked with its number."""
    import cv2

    from posture.io.video import iter_media

    w, h = size
    n = int(LOOP_S * FPS)
    _, frames = iter_media(src)
    pics = [fr.rgb for _, fr in zip(range(n - K0), frames, strict=False)]
    with out.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for k in range(n):
            canvas = np.zeros((h, w, 3), np.uint8)
            if k >= K0 and pics:
                rgb = pics[(k - K0) % len(pics)]
                s = min(w / rgb.shape[1], h / rgb.shape[0])
                small = cv2.resize(rgb, (int(rgb.shape[1] * s) // 2 * 2, int(rgb.shape[0] * s) // 2 * 2))
                y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
                canvas[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
            draw_mark(canvas, k)
            f.write(b"FRAME\n" + cv2.cvtColor(canvas, cv2.COLOR_RGB2YUV_I420).tobytes())
    return out


def draw_mark(rgb: np.ndarray, k: int) -> None:
    bits = [(k >> (MARK["bits"] - 1 - i)) & 1 for i in range(MARK["bits"])]
    blocks = [1, 0, *bits, sum(bits) % 2]
    x, y, w, bh = MARK["x"], MARK["y"], MARK["w"], MARK["bh"]
    for i, b in enumerate(blocks):
        rgb[y + i * bh:y + (i + 1) * bh, x:x + w] = 255 if b else 0


# Runs in every frame of the page (the webcam component is an iframe): watches the camera stream the
# component asks for and every <video> that shows the returned stream. Times are performance.now() of
# that iframe, so capture and display are on one clock.
JS = r"""
(() => {
  if (window.__live) return;
  const M = __MARK__;
  const L = window.__live = {caps: [], shows: [], via: null, errors: []};
  const capLast = new Map();
  const n = M.bits + 3;
  function canvas(w, h) { const c = document.createElement('canvas'); c.width = w; c.height = h;
    return c.getContext('2d', {willReadFrequently: true}); }
  const mctx = canvas(M.w, M.bh * n), sctx = canvas(320, 240);
  function readMark(v) {
    const vw = v.videoWidth, vh = v.videoHeight;
    if (!vw || !vh) return -1;
    const fx = vw / M.W, fy = vh / M.H;
    mctx.drawImage(v, M.x * fx, M.y * fy, M.w * fx, M.bh * n * fy, 0, 0, M.w, M.bh * n);
    const d = mctx.getImageData(0, 0, M.w, M.bh * n).data;
    const lum = [];
    for (let b = 0; b < n; b++) {
      let s = 0, c = 0;
      for (let y = b * M.bh + 3; y < (b + 1) * M.bh - 3; y++)
        for (let x = 6; x < M.w - 6; x++) {
          const i = (y * M.w + x) * 4; s += 0.3 * d[i] + 0.59 * d[i + 1] + 0.11 * d[i + 2]; c++;
        }
      lum.push(s / c);
    }
    if (lum[0] - lum[1] < 60) return -1;
    const thr = (lum[0] + lum[1]) / 2;
    let idx = 0, par = 0;
    for (let b = 2; b < 2 + M.bits; b++) { const bit = lum[b] > thr ? 1 : 0; idx = idx * 2 + bit; par ^= bit; }
    return ((lum[2 + M.bits] > thr ? 1 : 0) === par) ? idx : -1;
  }
  function skeleton(v) {  // pixels of the skeleton's bone colour (RenderStyle.bone_rgb, light cyan)
    sctx.drawImage(v, 0, 0, 320, 240);
    const d = sctx.getImageData(0, 0, 320, 240).data;
    let k = 0;
    for (let i = 0; i < d.length; i += 4) { const r = d[i], g = d[i + 1], b = d[i + 2];
      if (b > 170 && g > 150 && r < 160 && b - r > 60) k++; }
    return k;
  }
  function watchCam(stream) {
    const tr = stream.getVideoTracks();
    if (!tr.length) return;
    const v = document.createElement('video');
    v.muted = true; v.playsInline = true; v.autoplay = true; v.__postureCam = true;
    v.style.cssText = 'position:fixed;left:0;top:0;width:32px;height:24px;opacity:0.01;pointer-events:none;';
    v.srcObject = new MediaStream([tr[0]]);
    document.body.appendChild(v);
    v.play().catch(e => L.errors.push(String(e)));
    const step = (now, md) => {
      const idx = readMark(v);
      if (idx >= 0) { const t = md.captureTime || md.presentationTime || now;
        L.via = md.captureTime ? 'captureTime' : 'presentationTime'; L.caps.push([idx, t]); capLast.set(idx, t); }
      if (tr[0].readyState === 'live') v.requestVideoFrameCallback(step); else v.remove();
    };
    v.requestVideoFrameCallback(step);
  }
  function watchOut(v) {
    if (v.__postureCam || v.__postureWatched) return;
    v.__postureWatched = true;
    const step = (now, md) => {
      const t = md.expectedDisplayTime || now;
      const idx = readMark(v);
      let lag = null, sk = null;
      if (idx >= 0) {
        const c = capLast.get(idx);
        if (c !== undefined && t >= c && t - c < 0.8 * M.loopMs) lag = t - c;
        if (idx >= M.skFrom && idx < M.skTo) sk = skeleton(v);
      }
      L.shows.push([t, idx, lag, sk, v.videoWidth, v.videoHeight]);
      v.requestVideoFrameCallback(step);
    };
    v.requestVideoFrameCallback(step);
  }
  setInterval(() => document.querySelectorAll('video').forEach(watchOut), 300);
  const md = navigator.mediaDevices;
  if (md && md.getUserMedia) {
    const orig = md.getUserMedia.bind(md);
    md.getUserMedia = async (c) => {
      const s = await orig(c);
      try { watchCam(s); } catch (e) { L.errors.push(String(e)); }
      return s;
    };
  }
  // WebRTC's own counters for both directions (browser encode; browser decode of the returned video)
  const pcs = [], Orig = window.RTCPeerConnection;
  if (Orig) {
    window.RTCPeerConnection = function (...a) { const pc = new Orig(...a); pcs.push(pc); return pc; };
    window.RTCPeerConnection.prototype = Orig.prototype;
  }
  L.rtc = async () => {
    const out = {};
    for (const pc of pcs.slice(-1)) {
      (await pc.getStats()).forEach(r => {
        if (r.kind !== 'video') return;
        if (r.type === 'outbound-rtp') out.sent = {encoded: r.framesEncoded, sent: r.framesSent, encode_s: r.totalEncodeTime,
          w: r.frameWidth, h: r.frameHeight, limit: r.qualityLimitationReason, bytes: r.bytesSent};
        if (r.type === 'inbound-rtp') out.got = {received: r.framesReceived, decoded: r.framesDecoded, dropped: r.framesDropped,
          decode_s: r.totalDecodeTime, jitter_s: r.jitterBufferDelay, jitter_n: r.jitterBufferEmittedCount,
          w: r.frameWidth, h: r.frameHeight, bytes: r.bytesReceived};
      });
    }
    return out;
  };
})();
"""


def _burn(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x += 1


def thread_ticks() -> dict:
    """CPU ticks so far of every thread on the machine: {(pid, tid): (process name, thread name, ticks)}."""
    out = {}
    for task in Path("/proc").glob("[0-9]*/task/[0-9]*"):
        try:
            stat = (task / "stat").read_text()
            proc = (task.parent.parent / "comm").read_text().strip()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        out[(task.parent.parent.name, task.name)] = (proc, name, int(rest[11]) + int(rest[12]))
    return out


def cpu_by_thread(a: dict, b: dict, dur_s: float, labels: dict[str, str], top: int = 10) -> list[tuple[str, float]]:
    """The busiest (process, thread name) groups between two :func:`thread_ticks`, in % of one core.

    ``labels`` names processes by pid (the app, the burners); others go by their command name.
    """
    hz = os.sysconf("SC_CLK_TCK")
    groups: dict[str, float] = {}
    for k, (proc, name, ticks) in b.items():
        d = ticks - (a[k][2] if k in a else 0)
        if d > 0:
            key = f"{labels.get(k[0]) or _who(k[0], proc)}/{re.sub(r'[0-9]+$', '#', name)}"
            groups[key] = groups.get(key, 0.0) + 100.0 * d / hz / dur_s
    return sorted(((k, round(v)) for k, v in groups.items()), key=lambda kv: -kv[1])[:top]


def _who(pid: str, comm: str) -> str:
    """A short name for a process: its command, or for Python the script or module it runs."""
    if not comm.startswith("python"):
        return comm
    if pid == str(os.getpid()):
        return "bench"
    try:
        args = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return comm
    rest = [a for a in args[1:] if not a.startswith("-")]
    return f"python {Path(rest[0]).name}" if rest else comm


def app_pids() -> list[str]:
    """Pids of running ``streamlit run ...app.py`` processes (the app under test)."""
    out = []
    for p in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            cmd = p.read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(cmd) and any(c.endswith(b"app.py") for c in cmd):
                out.append(p.parent.name)
    return out


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(workdir: Path):
    """The app on a free localhost port (its history in ``workdir``), with the repository's Streamlit
    settings as ``streamlit run app.py`` in the repository has them; yields the URL."""
    import shutil

    shutil.copytree(REPO / ".streamlit", workdir / ".streamlit", dirs_exist_ok=True)
    port = _free_port()
    env = dict(os.environ, POSTURE_HISTORY=str(workdir / "history.sqlite3"), PYTHONUNBUFFERED="1")
    env.pop("POSTURE_RTC_CONFIGURATION", None)
    log = (workdir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited: {(workdir / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _webrtc_frame(page):
    for f in page.frames:
        with contextlib.suppress(Exception):
            if f.evaluate("() => !!window.__live && document.querySelectorAll('video').length > 0"):
                return f
    return None


def _start(page) -> None:
    frame = page.frame_locator("iframe[title*='webrtc']").first
    for _ in range(3):
        frame.get_by_role("button", name="START").click(timeout=30_000)
        try:
            frame.get_by_role("button", name="STOP").wait_for(timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: a lost click, try again
            continue
    raise RuntimeError("START never took effect after 3 clicks")


def _page_stats(text: str):
    m = PAGE_STATS.search(text)
    if not m:
        return None
    return {"frames": int(m.group(1)), "fps": float(m.group(2)), "callback_ms": m.group(3) and int(m.group(3)),
            "server_lag_ms": m.group(4) and int(m.group(4)), "pose_age_ms": m.group(5) and int(m.group(5)),
            "frames_in": m.group(6) and int(m.group(6))}


def _pct(xs, q) -> float:
    return float(np.percentile(xs, q)) if len(xs) else float("nan")


def summarise(caps: list, shows: list, polls: list, t0: float, t1: float) -> dict:
    """Figures of one phase from the browser's records (times in ms of the page clock) and the page polls."""
    dur_s = (t1 - t0) / 1000
    caps = [c for c in caps if t0 <= c[1] <= t1]
    shows = [s for s in shows if t0 <= s[0] <= t1]
    new, prev = [], None
    for s in shows:
        if s[1] >= 0 and s[1] != prev:
            new.append(s)
            prev = s[1]
    lags = [s[2] for s in new if s[2] is not None]
    by_s: dict[int, list] = {}
    for s in new:
        if s[2] is not None:
            by_s.setdefault(int((s[0] - t0) // 1000), []).append(s[2])
    lag_series = [round(float(np.median(by_s[k]))) if k in by_s else None for k in range(int(dur_s) + 1)]
    # appearance latency: each capture of frame K0, to the first later shown frame with a skeleton on it
    sk_none = [s[3] for s in shows if s[3] is not None and SKELETON_FROM <= s[1] < K0 - 2]
    sk_thr = max(40.0, 3.0 * _pct(sk_none, 95)) if sk_none else 40.0
    appear = []
    for idx, tc in caps:
        if idx != K0:
            continue
        for s in shows:
            if s[0] > tc and s[1] >= K0 and s[3] is not None and s[3] > sk_thr and s[0] - tc < 0.8 * LOOP_S * 1000:
                appear.append(s[0] - tc)
                break
    sizes = {}
    for s in new:
        sizes[f"{s[4]}x{s[5]}"] = sizes.get(f"{s[4]}x{s[5]}", 0) + 1
    st = [p for p in polls if p["stats"]]
    processed = float("nan")
    if len(st) >= 2 and st[-1]["t"] > st[0]["t"]:
        processed = (st[-1]["stats"]["frames"] - st[0]["stats"]["frames"]) / (st[-1]["t"] - st[0]["t"])
    callback_fps = float("nan")
    if len(st) >= 2 and st[-1]["t"] > st[0]["t"] and st[-1]["stats"]["frames_in"] is not None:
        callback_fps = (st[-1]["stats"]["frames_in"] - st[0]["stats"]["frames_in"]) / (st[-1]["t"] - st[0]["t"])
    ages = [p["stats"]["pose_age_ms"] for p in st if p["stats"]["pose_age_ms"] is not None]
    pose_age = float(np.median(ages)) if ages else 0.0
    return {
        "seconds": round(dur_s, 1),
        "camera_fps": len(caps) / dur_s if dur_s else float("nan"),
        "shown_fps": len(new) / dur_s if dur_s else float("nan"),
        "rvfc_fps": len(shows) / dur_s if dur_s else float("nan"),
        "unreadable_marks": sum(s[1] < 0 for s in shows),
        "callback_fps": callback_fps,
        "callback_ms": [p["stats"]["callback_ms"] for p in st][-1:] or [None],
        "processed_fps": processed,
        "lag_ms_p50": _pct(lags, 50), "lag_ms_p90": _pct(lags, 90), "lag_ms_max": max(lags) if lags else float("nan"),
        "lag_samples": len(lags),
        "lag_ms_each_s": lag_series,  # median lag of each second of the phase (None: no frame matched)
        "pose_age_ms": pose_age,
        "feedback_ms_p50": _pct(lags, 50) + pose_age,
        "appear_ms": [round(a) for a in appear],
        "appear_ms_p50": _pct(appear, 50),
        "skeleton_px_threshold": sk_thr,
        "server_lag_ms": [p["stats"]["server_lag_ms"] for p in st][-1:] or [None],
        "busy_shown_share": (sum(p["busy"] for p in polls) / len(polls)) if polls else float("nan"),
        "sizes": sizes,
    }


def rtc_delta(a: dict, b: dict, dur_s: float) -> dict:
    """Per-second rates and per-frame times from two WebRTC stats snapshots (browser side)."""
    out: dict = {}
    sa, sb = a.get("sent") or {}, b.get("sent") or {}
    if sb:
        n = (sb["encoded"] or 0) - (sa.get("encoded") or 0)
        out.update(browser_encoded_fps=n / dur_s,
                   browser_encode_ms=1000 * ((sb["encode_s"] or 0) - (sa.get("encode_s") or 0)) / max(n, 1),
                   sent_size=f"{sb['w']}x{sb['h']}", limited_by=sb["limit"],
                   sent_kbps=8 * ((sb["bytes"] or 0) - (sa.get("bytes") or 0)) / dur_s / 1000)
    ga, gb = a.get("got") or {}, b.get("got") or {}
    if gb:
        n = (gb["decoded"] or 0) - (ga.get("decoded") or 0)
        jn = (gb["jitter_n"] or 0) - (ga.get("jitter_n") or 0)
        out.update(returned_received_fps=((gb["received"] or 0) - (ga.get("received") or 0)) / dur_s,
                   returned_decoded_fps=n / dur_s,
                   returned_dropped=(gb["dropped"] or 0) - (ga.get("dropped") or 0),
                   browser_decode_ms=1000 * ((gb["decode_s"] or 0) - (ga.get("decode_s") or 0)) / max(n, 1),
                   jitter_buffer_ms=1000 * ((gb["jitter_s"] or 0) - (ga.get("jitter_s") or 0)) / max(jn, 1),
                   returned_kbps=8 * ((gb["bytes"] or 0) - (ga.get("bytes") or 0)) / dur_s / 1000)
    return out


def measure(url: str, y4m: Path, page_name: str, seconds: float, burn: int, warmup_s: float = 8.0,
            log=print, py_spy: str | None = None, shots: str | None = None) -> dict:
    """START the live tab of ``page_name`` with ``y4m`` as the camera; figures quiet, then with ``burn`` burners."""
    from playwright.sync_api import sync_playwright

    phases: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=FLAGS + [f"--use-file-for-fake-video-capture={y4m}"])
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
        ctx.add_init_script(JS.replace("__MARK__", json.dumps(
            {**MARK, "loopMs": LOOP_S * 1000, "skFrom": SKELETON_FROM, "skTo": SKELETON_TO})))
        page = ctx.new_page()
        page.goto(f"{url}/{page_name}")
        page.wait_for_selector("h1", timeout=60_000)
        page.get_by_role("tab", name=TABS[page_name]).click()
        _start(page)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (_page_stats(page.inner_text("body")) or {}).get("frames"):
            time.sleep(0.5)
        time.sleep(warmup_s)
        frame = _webrtc_frame(page)
        if frame is None:
            raise RuntimeError("no webcam iframe with a <video> and the measuring script was found")
        plan = [("quiet", 0)] + ([(f"{burn} CPU burners", burn)] if burn else [])
        for name, n in plan:
            burners = [mp.Process(target=_burn, args=(time.time() + seconds + 6,), daemon=True) for _ in range(n)]
            before = load_avg()
            for b in burners:
                b.start()
            if n:
                time.sleep(3.0)  # let the load bite before measuring
            ticks0, w0 = thread_ticks(), time.monotonic()
            spy = None
            if py_spy and app_pids():  # a sampling profile of the app during the phase (a developer's diagnostic)
                spy = subprocess.Popen([py_spy, "record", "-p", app_pids()[0], "-d", str(int(seconds)), "-r", "50",
                                        "--threads", "--nonblocking", "-f", "raw", "-o",
                                        f"/tmp/posture-live-{name.replace(' ', '-')}.txt"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            polls, t0 = [], frame.evaluate("performance.now()")
            rtc0 = frame.evaluate("() => window.__live.rtc()")
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                body = page.inner_text("body")
                polls.append({"t": time.monotonic(), "stats": _page_stats(body), "busy": BUSY in body})
                time.sleep(0.5)
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(shots) / f"live-{name.replace(' ', '-')}.png"))
            t1 = frame.evaluate("performance.now()")
            rtc1 = frame.evaluate("() => window.__live.rtc()")
            labels = {str(b.pid): "burner" for b in burners} | {pid: "app" for pid in app_pids()}
            cpu = cpu_by_thread(ticks0, thread_ticks(), time.monotonic() - w0, labels)
            rec = frame.evaluate("() => ({caps: window.__live.caps, shows: window.__live.shows, via: window.__live.via,"
                                 " errors: window.__live.errors})")
            for b in burners:
                b.terminate()
                b.join()
            if spy is not None:
                spy.wait(timeout=30)
            r = summarise(rec["caps"], rec["shows"], polls, t0, t1)
            r["rtc"] = rtc_delta(rtc0, rtc1, (t1 - t0) / 1000)
            r["cpu_pct_by_thread"] = cpu
            r.update(burners=n, load_before=before, load_after=load_avg(), capture_clock=rec["via"],
                     js_errors=rec["errors"][:3])
            phases[name] = r
            log(line(name, r))
            if n:
                time.sleep(2.0)
        with contextlib.suppress(Exception):
            page.frame_locator("iframe[title*='webrtc']").first.get_by_role("button", name="STOP").click(timeout=10_000)
        browser.close()
    return phases


def line(name: str, r: dict) -> str:
    return (f"{name:>15}: camera {r['camera_fps']:4.1f} frames/s; processed {r['processed_fps']:4.1f} frames/s; "
            f"app callback {r['callback_fps']:4.1f} frames/s ({r['callback_ms'][0]} ms); "
            f"new frames shown {r['shown_fps']:4.1f}/s of {r['rvfc_fps']:4.1f} painted, {r['unreadable_marks']} unreadable "
            f"({', '.join(f'{k}: {v}' for k, v in r['sizes'].items())}); "
            f"lag camera->screen p50 {r['lag_ms_p50']:.0f} ms, p90 {r['lag_ms_p90']:.0f}, max {r['lag_ms_max']:.0f}; "
            f"pose age {r['pose_age_ms']:.0f} ms; feedback delay p50 {r['feedback_ms_p50']:.0f} ms; "
            f"step-in to skeleton shown p50 {r['appear_ms_p50']:.0f} ms {r['appear_ms']}; "
            f"busy message shown {r['busy_shown_share']:.0%} of the time; load {r['load_before']} -> {r['load_after']}"
            + "\n" + " " * 17 + f"lag each second (ms): {r['lag_ms_each_s']}"
            + "\n" + " " * 17 + "WebRTC (browser side): " + ", ".join(
                f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.get("rtc", {}).items())
            + "\n" + " " * 17 + "CPU % of one core by process/thread: "
            + ", ".join(f"{k} {v}" for k, v in r.get("cpu_pct_by_thread", [])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running app (default: start one here)")
    ap.add_argument("--page", default="lift", choices=sorted(TABS))
    ap.add_argument("--clip", default="lift/yuyoujiang_squat.mp4", help="a clip under the real data set, or a path")
    ap.add_argument("--seconds", type=float, default=15.0, help="length of each measured phase")
    ap.add_argument("--burn", type=int, default=4, help="CPU-spinning processes in the loaded phase (0: quiet only)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line at the end")
    ap.add_argument("--shots", help="folder for a screenshot of the page at the end of each phase")
    ap.add_argument("--py-spy", help="path of py-spy: profile the app in each phase into /tmp/posture-live-*.txt")
    args = ap.parse_args()
    clip = Path(args.clip) if Path(args.clip).exists() else REAL / args.clip
    with tempfile.TemporaryDirectory(prefix="posture-live-bench-") as tmp:
        tmp = Path(tmp)
        y4m = marked_y4m(clip, tmp / "cam.y4m")
        print(f"fake camera: {clip.name}, {FPS} frames/s 640x480, {LOOP_S:.0f} s loop (nobody in view for "
              f"{BLANK_S:.0f} s); load average before: {load_avg()}")
        with contextlib.ExitStack() as stack:
            url = args.url or stack.enter_context(app_server(tmp))
            phases = measure(url, y4m, args.page, args.seconds, args.burn, py_spy=args.py_spy, shots=args.shots)
        print(f"load average after: {load_avg()}")
        if args.json:
            print("JSON " + json.dumps(phases))


if __name__ == "__main__":
    main()
