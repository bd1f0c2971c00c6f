"""Camera set-up sketches and tips per task: shown beside each upload box and on the About page."""

PHONE = "<rect x='{x}' y='{y}' width='16' height='28' rx='3' fill='#333'/><circle cx='{cx}' cy='{cy}' r='3' fill='#6cf'/>"


def plan(person_path: str, phone_xy: tuple[int, int], note: str) -> str:
    """A small top-down SVG sketch: where the person is, where the phone goes, and one line of text."""
    x, y = phone_xy
    return (f"<svg viewBox='0 0 320 170' width='320' xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{note}'>"
            "<rect width='320' height='170' fill='#f6f6f6'/>" + person_path
            + PHONE.format(x=x - 8, y=y - 14, cx=x, cy=y - 6)
            + f"<text x='10' y='162' font-size='11' fill='#444'>{note}</text></svg>")


WALK = plan("<line x1='40' y1='40' x2='280' y2='40' stroke='#2a7' stroke-width='3' marker-end='url(#a)'/>"
            "<defs><marker id='a' markerWidth='8' markerHeight='8' refX='4' refY='4' orient='auto'>"
            "<path d='M0,0 L8,4 L0,8 z' fill='#2a7'/></marker></defs>"
            "<text x='110' y='30' font-size='11'>walking path (4-6 m)</text>", (160, 125),
            "Phone at hip height, 3-4 m from the path, side-on")
LIFT = plan("<circle cx='160' cy='45' r='14' fill='#2a7'/><text x='180' y='50' font-size='11'>you + load</text>",
            (60, 60), "Phone at hip height, 2-3 m away, at your side")
STRETCH = plan("<rect x='110' y='40' width='110' height='18' fill='#2a7' rx='4'/>"
               "<text x='120' y='32' font-size='11'>mat</text>", (165, 125), "Phone on the floor or low, 2-3 m away, "
               "whole body in view")
SIT = plan("<rect x='200' y='30' width='60' height='40' fill='#aaa'/><text x='205' y='25' font-size='11'>desk</text>"
           "<circle cx='170' cy='50' r='12' fill='#2a7'/>", (170, 130), "Phone or webcam to your side, at desk height")

# task -> (title, sketch, tips)
SETUP = {
    "walk": ("Walking", WALK, "Walk at your normal pace past the camera for at least 4 steps in full view; a second "
             "clip toward or away from the camera shows hip sway. Wear clothes that show your knees and ankles."),
    "lift": ("Lifting", LIFT, "Side view, whole body and the load in view. Film the whole lift, from the floor to "
             "standing."),
    "stretch": ("Stretches", STRETCH, "Side view for lying and kneeling stretches, front view for standing ones. "
                "Good light."),
    "sit": ("Sitting", SIT, "Side view of you at your desk, hips, knees and head in view. A photo is enough."),
}
