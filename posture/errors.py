"""One exception family for the whole package.

Every error a user can cause (bad file, bad option, no person, missing model,
an output path that cannot be written) is a subclass of :class:`PostureError`,
so the CLI and the app can catch one type and print a one-line reason. Messages
name the input, say what was expected and what was found, and what to do.

Usable-but-suspicious input (frames that could not be decoded, a damaged cache
entry that was rebuilt, skipped history rows) gives a :class:`PostureWarning`.
"""

from __future__ import annotations


class PostureError(Exception):
    """Base class of every error posture raises on purpose."""


class InputFileError(PostureError):
    """An input file is missing, a folder, unreadable or empty."""


class VideoReadError(InputFileError):
    """The input cannot be read as a video or image (unreadable, empty, truncated, wrong type)."""


class ModelUnavailableError(PostureError):
    """No pose model could be found or built; the message says what to do."""


class PoseValidationError(PostureError, ValueError):
    """A pose container or landmark file does not have the expected shape or content."""


class NoPersonError(PostureError):
    """No person was found in enough of the input to analyse it."""


class ReferencePoseError(PostureError, ValueError):
    """A reference pose file is malformed; the message names the valid values."""


class OptionError(PostureError, ValueError):
    """An option is out of its range or malformed; the message gives the range and why."""


class OutputPathError(PostureError):
    """An output file cannot be written (missing folder, no permission, a folder in the way)."""


class PostureWarning(UserWarning):
    """Input that is usable but suspicious; the message says what was seen and what to do."""
