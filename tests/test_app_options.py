"""Page option forms: the Lift page asks for the height the NIOSH index needs; ranges match AnalyzeOptions."""

from __future__ import annotations

from tests.test_app_pages import app, env  # noqa: F401  (the page fixture)


def test_lift_page_asks_for_height_with_the_load(env):  # noqa: F811
    at = app("lift")
    labels = [n.label for n in at.number_input]
    assert "Your height in cm" in labels and "Load (kg)" in labels
    at.number_input(key="lift-kg").set_value(12.0).run()
    assert any("Add your height" in i.value for i in at.info)
    at.number_input(key="lift-height").set_value(172).run()
    assert not any("Add your height" in i.value for i in at.info)
    assert not at.exception


def test_option_boxes_cannot_hold_values_the_analysis_refuses(env):  # noqa: F811
    at = app("lift")
    assert at.number_input(key="lift-height").min == 50 and at.number_input(key="lift-freq").min == 0.2
    walk = app("walk")
    assert walk.number_input(key="walk-height").min == 50 and walk.number_input(key="walk-height").value is None
