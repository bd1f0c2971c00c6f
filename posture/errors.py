"""One exception family for the whole package.

Every error a user can cause (bad file, no person, missing model) is a
subclass of :class:`PostureError`, so the CLI and the app can catch one type
and print a one-line reason. Messages say what was expected and what was found.
"""

from __future__ import annotations


class PostureError(Exception):
    """Base class of every error posture raises on purpose."""


class VideoReadError(PostureError):
    """The input cannot be read as a video or image (unreadable, empty, truncated, wrong type)."""


class ModelUnavailableError(PostureError):
    """No pose model could be found or built; the message says what to do."""


class PoseValidationError(PostureError, ValueError):
    """A pose container or landmark file does not have the expected shape or content."""


class NoPersonError(PostureError):
    """No person was found in enough of the input to analyse it."""


class ReferencePoseError(PostureError, ValueError):
    """A reference pose file is malformed; the message names the valid values."""
