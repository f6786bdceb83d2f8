import warnings

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from recommender import COMPONENTS, STAGES, STATUSES  # noqa: E402
from recommender.analysis import _style as plotstyle  # noqa: E402


@pytest.fixture
def fresh_font_scan():
    plotstyle._scan.cache_clear()
    yield
    plotstyle._scan.cache_clear()


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(plotstyle, "find_cjk_font", lambda: None)


def test_find_cjk_font_prefers_simplified_chinese(monkeypatch, fresh_font_scan):
    monkeypatch.setattr(plotstyle, "_installed_families", lambda: {"DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC"})
    assert plotstyle.find_cjk_font() == "Noto Sans CJK SC"


def test_find_cjk_font_accepts_any_cjk_looking_family(monkeypatch, fresh_font_scan):
    monkeypatch.setattr(plotstyle, "_installed_families", lambda: {"DejaVu Sans", "WenQuanYi Bitmap Song"})
    assert plotstyle.find_cjk_font() == "WenQuanYi Bitmap Song"


def test_find_cjk_font_rescans_for_fonts_installed_after_the_cache(monkeypatch, fresh_font_scan):
    families = {"DejaVu Sans"}
    added = []
    monkeypatch.setattr(plotstyle, "_installed_families", lambda: set(families))
    monkeypatch.setattr(plotstyle.font_manager, "findSystemFonts", lambda: ["/f/DejaVuSans.ttf", "/f/NotoSansCJK-Regular.ttc"])

    def addfont(path):
        added.append(path)
        families.add("Noto Sans CJK JP")

    monkeypatch.setattr(plotstyle.font_manager.fontManager, "addfont", addfont)
    assert plotstyle.find_cjk_font() == "Noto Sans CJK JP"
    assert added == ["/f/NotoSansCJK-Regular.ttc"]


def test_find_cjk_font_none_without_cjk_fonts(monkeypatch, fresh_font_scan):
    monkeypatch.setattr(plotstyle, "_installed_families", lambda: {"DejaVu Sans"})
    monkeypatch.setattr(plotstyle.font_manager, "findSystemFonts", lambda: ["/fonts/DejaVuSans.ttf"])
    assert plotstyle.find_cjk_font() is None


def test_label_language_falls_back_to_english_with_warning(no_cjk_font):
    with pytest.warns(plotstyle.MissingFontWarning, match="No CJK font found.*install_fonts.sh"):
        assert plotstyle._label_language() == ("en", None)


def test_missing_font_warning_points_at_the_callers_code(tiny_map, no_cjk_font):
    from recommender.analysis import _plots as plots

    with pytest.warns(plotstyle.MissingFontWarning) as record:
        plots.link_needs(tiny_map, "battery")
    assert record[0].filename == __file__


def test_label_language_english_on_request_does_not_warn(no_cjk_font):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plotstyle._label_language("en") == ("en", None)


def test_label_language_chinese_with_a_font(monkeypatch):
    monkeypatch.setattr(plotstyle, "find_cjk_font", lambda: "Noto Sans CJK SC")
    assert plotstyle._label_language() == ("zh", "Noto Sans CJK SC")


def test_label_language_rejects_unknown_language():
    with pytest.raises(ValueError, match="The 'lang' parameter must be 'zh', 'en' or None. Got 'fr' instead."):
        plotstyle._label_language("fr")


def test_labels_cover_both_languages_alike():
    zh, en = plotstyle.LABELS["zh"], plotstyle.LABELS["en"]
    assert set(zh) == set(en)
    assert set(plotstyle.TERMS["zh"]) == set(plotstyle.TERMS["en"]) == {"stage", "status", "component"}
    for key, value in plotstyle.TERMS["zh"].items():
        assert set(value) == set(plotstyle.TERMS["en"][key]), key
    assert list(plotstyle.TERMS["zh"]["stage"]) == list(STAGES)
    assert set(plotstyle.TERMS["en"]["status"]) == set(STATUSES)
    assert list(plotstyle.TERMS["en"]["component"]) == list(COMPONENTS)
