"""posture: watch a person on video and say, in plain words, what their body is doing.

Importing posture has no side effects and does not import mediapipe, cv2 or
streamlit; those load only when a video is decoded or a model is run
(``posture.io``).
"""

__version__ = "0.1.0"
