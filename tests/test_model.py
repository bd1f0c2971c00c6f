"""The model bundle builder: metadata, hashes, precedence, and clear errors."""

from __future__ import annotations

import zipfile

import pytest

from posture.errors import ModelUnavailableError
from posture.io import model as M


def _read_norm(tflite: bytes) -> tuple[list[float], list[float]]:
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as schema

    m = schema.Model.GetRootAs(tflite, 0)
    entries = {m.Metadata(i).Name().decode(): m.Metadata(i).Buffer() for i in range(m.MetadataLength())}
    buf = m.Buffers(entries["TFLITE_METADATA"]).DataAsNumpy().tobytes()
    assert meta.ModelMetadata.ModelMetadataBufferHasIdentifier(buf, 0)
    mm = meta.ModelMetadataT.InitFromPackedBuf(bytearray(buf), 0)
    unit = mm.subgraphMetadata[0].inputTensorMetadata[0].processUnits[0]
    assert unit.optionsType == meta.ProcessUnitOptions.NormalizationOptions
    return list(unit.options.mean), list(unit.options.std)


def test_bundle_is_the_pinned_build(model_path):
    # Built from mediapipe 0.10.21's wheel (or given by the user); our own build is byte-reproducible.
    if model_path.name != M.BUNDLE_NAME:
        pytest.skip(f"a user-supplied model is in use: {model_path}")
    assert M.sha256_file(model_path) == M.EXPECTED_BUNDLE_SHA256
    with zipfile.ZipFile(model_path) as z:
        assert sorted(z.namelist()) == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
        assert _read_norm(z.read("pose_detector.tflite")) == ([127.5], [127.5])
        assert _read_norm(z.read("pose_landmarks_detector.tflite")) == ([0.0], [255.0])
        # weights stay aligned so TFLite can map them without copying
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())


def test_wrong_wheel_is_refused_with_the_hashes(tmp_path):
    fake = tmp_path / "mediapipe-0.10.21-fake.whl"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr(M.DETECTOR_MEMBER, b"not a model")
        z.writestr(M.LANDMARKER_MEMBER, b"not a model either")
    with pytest.raises(ModelUnavailableError, match="sha256 .* expected 9ba9dd3d"):
        M.build_task_bundle(fake, tmp_path / "out.task")
    assert not (tmp_path / "out.task").exists()


def test_not_a_wheel_is_refused(tmp_path):
    bad = tmp_path / "x.whl"
    bad.write_bytes(b"nope")
    with pytest.raises(ModelUnavailableError, match="is not a mediapipe 0.10.21 wheel"):
        M.build_task_bundle(bad, tmp_path / "out.task")


def test_precedence_explicit_then_environment(tmp_path, monkeypatch):
    given = tmp_path / "mine.task"
    given.write_bytes(b"x")
    env = tmp_path / "env.task"
    env.write_bytes(b"y")
    monkeypatch.setenv(M.ENV_MODEL, str(env))
    assert M.resolve_model_path(given) == given
    assert M.resolve_model_path() == env
    monkeypatch.setenv(M.ENV_MODEL, str(tmp_path / "nope.task"))
    with pytest.raises(ModelUnavailableError, match=r"from \$POSTURE_MODEL\) does not exist"):
        M.resolve_model_path()


def test_cached_bundle_is_reused_without_building(tmp_path, monkeypatch):
    monkeypatch.delenv(M.ENV_MODEL, raising=False)
    monkeypatch.setenv(M.ENV_CACHE, str(tmp_path))
    (tmp_path / M.BUNDLE_NAME).write_bytes(b"cached")
    monkeypatch.setattr(M, "fetch_source_wheel", lambda d: pytest.fail("must not fetch"))
    assert M.resolve_model_path() == tmp_path / M.BUNDLE_NAME


def test_no_model_and_no_registry_gives_instructions(tmp_path, monkeypatch):
    monkeypatch.delenv(M.ENV_MODEL, raising=False)
    monkeypatch.delenv(M.ENV_WHEEL, raising=False)
    monkeypatch.setenv(M.ENV_CACHE, str(tmp_path))

    class Failed:
        returncode, stderr = 1, "ERROR: Could not find a version (no network)"

    monkeypatch.setattr(M.subprocess, "run", lambda *a, **k: Failed())
    with pytest.raises(ModelUnavailableError, match="POSTURE_MODEL.*pose_landmarker"):
        M.resolve_model_path()
    with pytest.raises(ModelUnavailableError, match="python -m posture model"):
        M.resolve_model_path(build=False)


# --------------------------------------------------------------------------- lite and heavy (issue 15)
@pytest.mark.parametrize("variant", ["lite", "heavy"])
def test_variant_bundles_are_the_pinned_builds(variant):
    try:
        path = M.resolve_model_path(variant=variant, build=False)  # never fetches in tests
    except ModelUnavailableError:
        pytest.skip(f"the {variant} bundle is not built here (python -m posture model --model-variant {variant})")
    assert path.name == M.VARIANT_BUNDLE_NAMES[variant]
    assert M.sha256_file(path) == M.EXPECTED_VARIANT_BUNDLE_SHA256[variant]
    with zipfile.ZipFile(path) as z:
        assert _read_norm(z.read("pose_detector.tflite")) == ([127.5], [127.5])
        assert _read_norm(z.read("pose_landmarks_detector.tflite")) == ([0.0], [255.0])


def test_variant_build_is_reproducible_from_the_cached_tarball(tmp_path):
    tarball = M.default_cache_dir() / "npm" / M.NPM_TARBALL
    full = M.default_cache_dir() / M.BUNDLE_NAME
    if not tarball.is_file() or not full.is_file():
        pytest.skip("no cached @mediapipe/pose tarball or full bundle (tests never fetch)")
    out = M.build_variant_bundle("lite", full, tarball, tmp_path / "lite.task")
    assert M.sha256_file(out) == M.EXPECTED_VARIANT_BUNDLE_SHA256["lite"]


def _fake_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(M.ENV_MODEL, raising=False)
    monkeypatch.delenv(M.ENV_NPM, raising=False)
    monkeypatch.delenv(M.ENV_VARIANT, raising=False)
    monkeypatch.setenv(M.ENV_CACHE, str(tmp_path))
    (tmp_path / M.BUNDLE_NAME).write_bytes(b"not our full bundle")


def test_wrong_tarball_is_refused(tmp_path, monkeypatch):
    _fake_cache(tmp_path, monkeypatch)
    fake = tmp_path / "fake.tgz"
    fake.write_bytes(b"not the package")
    with pytest.raises(ModelUnavailableError, match="sha256 .* expected 8bb349a7"):
        M.read_npm_member(fake, "lite")
    monkeypatch.setenv(M.ENV_NPM, str(fake))
    with pytest.raises(ModelUnavailableError, match="not posture's own full bundle"):
        M.resolve_model_path(variant="heavy")


def test_no_npm_gives_instructions(tmp_path, monkeypatch):
    _fake_cache(tmp_path, monkeypatch)
    monkeypatch.setattr(M.shutil, "which", lambda name: None)
    with pytest.raises(ModelUnavailableError, match="npm is not installed.*POSTURE_MEDIAPIPE_POSE_NPM"):
        M.resolve_model_path(variant="lite")


def test_npm_failure_gives_instructions(tmp_path, monkeypatch):
    _fake_cache(tmp_path, monkeypatch)
    monkeypatch.setattr(M.shutil, "which", lambda name: "/usr/bin/npm")

    class Failed:
        returncode, stderr = 1, "npm ERR! network request failed"

    monkeypatch.setattr(M.subprocess, "run", lambda *a, **k: Failed())
    with pytest.raises(ModelUnavailableError, match="npm registry .*network request failed"):
        M.resolve_model_path(variant="heavy")
    with pytest.raises(ModelUnavailableError, match="--model-variant heavy"):
        M.resolve_model_path(variant="heavy", build=False)


def test_variant_precedence_and_reuse(tmp_path, monkeypatch):
    _fake_cache(tmp_path, monkeypatch)
    (tmp_path / M.VARIANT_BUNDLE_NAMES["lite"]).write_bytes(b"cached lite")
    monkeypatch.setattr(M, "fetch_npm_tarball", lambda d: pytest.fail("must not fetch"))
    env = tmp_path / "env.task"
    env.write_bytes(b"y")
    monkeypatch.setenv(M.ENV_MODEL, str(env))
    assert M.resolve_model_path(variant="lite") == tmp_path / M.VARIANT_BUNDLE_NAMES["lite"]  # asked for: wins
    assert M.resolve_model_path() == env
    monkeypatch.delenv(M.ENV_MODEL)
    monkeypatch.setenv(M.ENV_VARIANT, "lite")
    assert M.resolve_model_path() == tmp_path / M.VARIANT_BUNDLE_NAMES["lite"]
    with pytest.raises(ModelUnavailableError, match="unknown model variant 'huge'"):
        M.resolve_model_path(variant="huge")


def test_cli_model_variant_names_the_bundle(tmp_path, monkeypatch):
    from posture import cli

    _fake_cache(tmp_path, monkeypatch)
    (tmp_path / M.VARIANT_BUNDLE_NAMES["heavy"]).write_bytes(b"cached heavy")
    args = cli.build_parser().parse_args(["landmarks", "v.mp4", "-o", "o.npz", "--model-variant", "heavy"])
    cli._apply_model_variant(args)
    assert args.model == str(tmp_path / M.VARIANT_BUNDLE_NAMES["heavy"])
    args = cli.build_parser().parse_args(["landmarks", "v.mp4", "-o", "o.npz", "--model", "m.task", "--model-variant", "lite"])
    cli._apply_model_variant(args)
    assert args.model == "m.task"  # an explicit file wins
