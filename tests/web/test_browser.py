"""The page in a real browser: Debian's headless Chromium driven by Selenium against a real server.

Skips (with the reason) only where Chromium or its driver is absent; ``.ci/run`` installs them.
"""

import base64
import io
import shutil

import numpy as np
import pytest

from aekit.web import running
from aekit.web.explorer import Explorer
from aekit.web.routes import build_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
    if not (shutil.os.path.exists(CHROMIUM) and shutil.os.path.exists(DRIVER)):
        pytest.skip("no Chromium: apt-get install chromium chromium-driver (.ci/run does it)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                 "--disable-extensions", "--no-first-run", "--disable-background-networking"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=options)  # never a downloaded browser


@pytest.fixture(scope="module")
def browser():
    driver = _browser()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(browser, font_model):
    """The page for 5,000 samples (font letters with noise) on a 2-D map."""
    ae, font = font_model
    rng = np.random.default_rng(0)
    X = np.clip(np.repeat(font.data, 157, axis=0)[:5000] + rng.normal(0, 0.15, (5000, 35)), 0, 1).astype(np.float32)
    labels = np.repeat(np.asarray(font.labels), 157)[:5000]
    explorer = Explorer(ae, X, labels, image_shape=(7, 5))
    with running(build_app(explorer)) as url:
        browser.get(url + "/")
        wait(browser, "return window.aekit && window.aekit.ready")
        yield browser, explorer


def wait(browser, script, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(lambda d: d.execute_script(script))


def canvas_data(browser, element_id):
    return browser.execute_script(f"return document.getElementById('{element_id}').toDataURL()")


def move_to_point(browser, explorer, index, click=False):
    """Hover (or click) map point ``index`` at its pixel on the canvas."""
    from selenium.webdriver.common.action_chains import ActionChains

    x, y = browser.execute_script(f"return window.aekit.screen[{index}].slice(0, 2)")
    canvas = browser.find_element("id", "map")
    size = canvas.size  # ActionChains offsets are from the element's centre
    chain = ActionChains(browser).move_to_element_with_offset(canvas, int(x - size["width"] / 2), int(y - size["height"] / 2))
    (chain.click() if click else chain).perform()


def test_the_map_draws_every_point(page):
    browser, explorer = page
    assert browser.execute_script("return window.aekit.screen.length") == 5000
    assert "5,000 samples" in browser.find_element("id", "info").text


def test_hover_shows_input_reconstruction_label_and_error_within_100_ms(page):
    browser, explorer = page
    blank = canvas_data(browser, "hover-input")
    for index in (10, 2000, 4321):
        move_to_point(browser, explorer, index)
        hovered = wait(browser, "return document.getElementById('hover-card').dataset.index")
        label = browser.find_element("id", "hover-label").text
        assert label == explorer.labels[int(hovered)]
        assert float(browser.find_element("id", "hover-error").text.split()[0]) == pytest.approx(explorer.errors[int(hovered)], rel=1e-3)
    assert canvas_data(browser, "hover-input") != blank and canvas_data(browser, "hover-recon") != blank
    timings = browser.execute_script("return window.aekit.hoverTimings")
    print("hover feedback (ms, 5,000 points):", [(round(t["sync"], 1), round(t["full"], 1)) for t in timings])
    assert len(timings) >= 3
    assert max(t["sync"] for t in timings) < 100  # highlight, label and error: drawn in the event handler
    assert max(t["full"] for t in timings) < 100  # and the input and reconstruction, fetched from the server


def test_a_click_decodes_the_point_and_another_click_another_image(page):
    from selenium.webdriver.common.action_chains import ActionChains

    browser, _ = page
    canvas = browser.find_element("id", "map")
    images = []
    for dx, dy in ((-250, -230), (250, 230)):  # two corners of the map, away from the points
        before = browser.execute_script("return window.aekit.decodes")
        ActionChains(browser).move_to_element_with_offset(canvas, dx, dy).click().perform()
        wait(browser, f"return window.aekit.decodes > {before}")
        images.append(canvas_data(browser, "decoded"))
    assert images[0] != images[1]
    assert browser.execute_script("return document.querySelectorAll('#sliders input').length") == 2


def test_two_picked_points_draw_the_linear_and_spherical_strips(page):
    browser, explorer = page
    blank = canvas_data(browser, "strip-linear")
    move_to_point(browser, explorer, 0, click=True)
    move_to_point(browser, explorer, 4999, click=True)
    wait(browser, "return window.aekit.strips >= 1")
    assert canvas_data(browser, "strip-linear") != blank and canvas_data(browser, "strip-spherical") != blank
    assert browser.find_element("id", "pick-b").text == f"B: {explorer.labels[4999]}"


def test_a_slider_changes_the_decoded_image(page):
    browser, _ = page
    before = canvas_data(browser, "decoded")
    count = browser.execute_script("return window.aekit.decodes")
    browser.execute_script(
        "const s = document.querySelector('#sliders input'); s.value = s.max; s.dispatchEvent(new Event('input'));"
    )
    wait(browser, f"return window.aekit.decodes > {count}")
    assert canvas_data(browser, "decoded") != before


def test_a_screenshot_of_the_page_is_not_blank(page, tmp_path):
    from PIL import Image

    browser, _ = page
    png = base64.b64decode(browser.get_screenshot_as_base64())
    (tmp_path / "explorer.png").write_bytes(png)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)
    assert pixels.shape[0] > 500 and pixels.var() > 100  # a white or single-colour page has ~0 variance
    errors = browser.execute_script("return document.getElementById('status').textContent")
    assert errors == ""


# ---------------------------------------------------------------- the other views: 3-D, anomaly, tabular
from contextlib import contextmanager  # noqa: E402


@contextmanager
def serving(browser, explorer):
    """``explorer``'s page loaded in ``browser`` (a server of its own on loopback)."""
    with running(build_app(explorer)) as url:
        browser.get(url + "/")
        wait(browser, "return window.aekit && window.aekit.ready")
        yield


def count_colour(browser, element_id, rgb, tolerance=12):
    """How many pixels of a canvas are within ``tolerance`` of ``rgb`` (opaque)."""
    r, g, b = rgb
    return browser.execute_script(
        f"const c = document.getElementById('{element_id}'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        f"let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - {r}) <= {tolerance} && "
        f"Math.abs(d[i + 1] - {g}) <= {tolerance} && Math.abs(d[i + 2] - {b}) <= {tolerance}) n++; return n;"
    )


def test_a_3d_code_rotates_when_dragged_and_a_point_is_still_found_after(browser):
    from selenium.webdriver.common.action_chains import ActionChains

    from aekit import AutoencoderEstimator
    from aekit.datasets import load_font

    font = load_font()
    ae = AutoencoderEstimator(hidden_sizes=(16,), latent_dim=3, max_iter=20, random_state=0).fit(font.data)
    explorer = Explorer(ae, font.data, font.labels, image_shape=font.image_shape)
    with serving(browser, explorer):
        assert browser.execute_script("return window.aekit.view.dim") == 3
        assert "3-D codes as they are" in browser.find_element("id", "info").text
        before_pixels = canvas_data(browser, "map-base")
        before_screen = browser.execute_script("return window.aekit.screen.map((p) => p.slice(0, 2))")
        yaw = browser.execute_script("return window.aekit.yaw")
        canvas = browser.find_element("id", "map")
        (ActionChains(browser).move_to_element_with_offset(canvas, -200, 200).click_and_hold()
         .move_by_offset(60, 0).move_by_offset(60, 30).release().perform())
        assert browser.execute_script("return window.aekit.yaw") == pytest.approx(yaw + 1.2, abs=0.05)
        assert canvas_data(browser, "map-base") != before_pixels
        after_screen = np.asarray(browser.execute_script("return window.aekit.screen.map((p) => p.slice(0, 2))"))
        assert np.abs(after_screen - np.asarray(before_screen)).max() > 20  # the points moved on the screen
        assert browser.execute_script("return window.aekit.decodes") == 0  # a drag is not a click
        move_to_point(browser, explorer, 7)  # hovering finds the point where the rotation put it
        assert wait(browser, "return document.getElementById('hover-card').dataset.index") == "7"
        assert browser.find_element("id", "hover-label").text == explorer.labels[7]


def test_an_anomaly_detector_draws_its_flagged_rows_red_and_a_table_row_as_bars(browser, tabular_detector):
    detector, X = tabular_detector
    X = X.copy()
    X[:4] += 8.0  # four rows far off the data: above the threshold
    explorer = Explorer(detector, X, image_shape=None)
    flagged = int((explorer.errors > explorer.threshold).sum())
    assert flagged >= 4
    with serving(browser, explorer):
        assert "tabular, 6 features" in browser.find_element("id", "info").text
        assert browser.find_element("id", "color-by").get_attribute("value") == "error"
        note = browser.find_element("id", "threshold-note").text
        assert f"{flagged} of {len(X)} above, drawn red" in note
        red = count_colour(browser, "map-base", (0xD9, 0x2D, 0x20))
        assert red > 20 * flagged  # each flagged point a red disc
        blank = canvas_data(browser, "hover-input")
        move_to_point(browser, explorer, 0)
        assert wait(browser, "return document.getElementById('hover-card').dataset.index") == "0"
        assert browser.find_element("id", "hover-input-caption").text == "contribution to the anomaly score per feature"
        assert "(above the threshold)" in browser.find_element("id", "hover-error").text
        assert canvas_data(browser, "hover-input") != blank  # the per-feature bars
        assert browser.execute_script("return document.getElementById('status').textContent") == ""
