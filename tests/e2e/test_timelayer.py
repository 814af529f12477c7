"""A slider step sends only the date layer: read off the websocket in headless Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.e2e.conftest import Page, Server
from tests.e2e.test_browser import DRAWN_JS, _frame

pytestmark = pytest.mark.browser

SEQ_JS = "() => window.cmTimeLayer ? window.cmTimeLayer.cmSeq : -1"


@pytest.fixture(scope="module")
def layer_server(demo_db: str) -> Iterator[Server]:
    server = Server(demo_db, "timelayer")
    yield server
    server.stop()


class Socket:
    """Streamlit's messages to this page, decoded."""

    def __init__(self, page: object):
        self.messages: list[tuple[ForwardMsg, bytes]] = []
        page.on("websocket", self._socket)  # type: ignore[attr-defined]

    def _socket(self, ws: object) -> None:
        def received(payload: bytes | str) -> None:
            raw = payload if isinstance(payload, bytes) else payload.encode()
            self.messages.append((ForwardMsg.FromString(raw), raw))

        ws.on("framereceived", received)  # type: ignore[attr-defined]

    def _instances(self, start: int) -> list:  # type: ignore[type-arg]
        """The components sent in full since message ``start``."""
        out = []
        for msg, _ in self.messages[start:]:
            if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "component_instance":
                    out.append(element.component_instance)
        return out

    def components(self, start: int) -> list[str]:
        """Names of the components sent in full since message ``start``."""
        return [c.component_name for c in self._instances(start)]

    def layers(self, start: int) -> list[dict]:  # type: ignore[type-arg]
        """The date layer messages sent since message ``start``."""
        return [
            json.loads(c.json_args)["msg"]
            for c in self._instances(start)
            if "timelayer" in c.component_name
        ]

    def finished(self, start: int) -> bool:
        return any(m.WhichOneof("type") == "script_finished" for m, _ in self.messages[start:])


def _step(p: Page, socket: Socket, frame) -> None:  # type: ignore[no-untyped-def]
    seq = frame.evaluate(SEQ_JS)
    start = len(socket.messages)
    slider = p.page.locator('[data-testid="stSlider"] input[type="range"]').first
    slider.focus()
    slider.press("ArrowRight")
    frame.wait_for_function(f"() => ({SEQ_JS})() > {seq}", timeout=30_000)
    # The map may show the step before the server answers (it was sent ahead): wait for the
    # step's own run, the one that sends the date layer, to finish.
    for _ in range(300):  # polled, at most 30 s
        sent = [
            i
            for i, (m, _) in enumerate(socket.messages[start:], start)
            if m.WhichOneof("type") == "delta"
            and m.delta.WhichOneof("type") == "new_element"
            and "timelayer" in m.delta.new_element.component_instance.component_name
        ]
        if sent and socket.finished(sent[0]):
            return
        p.page.wait_for_timeout(100)
    raise AssertionError("the run after the step never finished")


def test_a_step_sends_the_date_layer_and_keeps_the_map(layer_server: Server, page: Page) -> None:
    p = page
    socket = Socket(p.page)
    p.page.goto(f"{layer_server.base}/?date=2014-01-03&lat=33.345&lon=43.78&zoom=10")
    frame = _frame(p)
    frame.wait_for_function(f"() => ({SEQ_JS})() >= 0", timeout=30_000)
    assert "isil control most 2014-01-02" in frame.evaluate(DRAWN_JS)
    # Mark this map: a remounted map would be a new window without the mark.
    frame.evaluate("() => { window.cmMark = 1; window.map.setZoom(11, { animate: false }); }")
    zoom = frame.evaluate("() => window.map.getZoom()")
    assert zoom == 11

    _step(p, socket, frame)
    start = len(socket.messages)
    drawn_before = frame.evaluate(DRAWN_JS)
    seq_before = frame.evaluate(SEQ_JS)
    _step(p, socket, frame)
    after = frame.evaluate(DRAWN_JS)
    assert after != drawn_before

    sent = b"".join(raw for _, raw in socket.messages[start:])
    # The second step carries no basemap, no legend, no Leaflet script: only the date layer.
    assert set(socket.components(start)) == {"controlmap.ui.timelayer.controlmap_timelayer"}
    # One new frame. Besides it, on a busy machine, the steps that became ready after the
    # first step's run can come for the frame held before (the same number: the browser
    # keeps what it drew and takes only the steps); nothing else.
    layers = socket.layers(start)
    assert [m["seq"] for m in layers if m["seq"] > seq_before] == [seq_before + 1], layers
    assert all(m["seq"] == seq_before and m["ahead"] for m in layers if m["seq"] <= seq_before)
    assert any(m.WhichOneof("type") == "ref_hash" for m, _ in socket.messages[start:])
    for text in (b"cm-legend", b"L.map(", b"Governorates", b"leaflet.js"):
        assert text not in sent, text
    # Same map, same zoom: nothing was remounted.
    assert frame.evaluate("() => window.cmMark") == 1
    assert frame.evaluate("() => window.map.getZoom()") == zoom
    assert p.page.locator('[data-testid="stException"]').count() == 0
    p.shot("30-date-layer-after-two-steps")
    assert p.blocked == []


def test_the_layer_comes_back_after_another_page(layer_server: Server, page: Page) -> None:
    p = page
    p.page.goto(f"{layer_server.base}/?date=2015-05-20")
    frame = _frame(p)
    frame.wait_for_function(f"() => ({SEQ_JS})() >= 0", timeout=30_000)
    assert frame.evaluate(DRAWN_JS)
    p.page.get_by_role("link", name="Area over time").click()
    p.page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    p.page.get_by_role("link", name="Map").click()
    # A new map page starts empty and gets the whole frame again, not an edit of the old one.
    frame = _frame(p)
    frame.wait_for_function(f"() => ({SEQ_JS})() >= 0", timeout=30_000)
    again = frame.evaluate(DRAWN_JS)
    assert again
    # It is what a new visit to the same date draws.
    shown = p.page.evaluate("() => new URL(location.href).searchParams.get('date')")
    other = Page(p.page.context.browser)
    other.page.goto(f"{layer_server.base}/?date={shown}")
    other_frame = _frame(other)
    other_frame.wait_for_function(f"() => ({SEQ_JS})() >= 0", timeout=30_000)
    assert json.dumps(other_frame.evaluate(DRAWN_JS)) == json.dumps(again)
    other.page.close()
    assert p.page.locator('[data-testid="stException"]').count() == 0
    assert p.blocked == []


AHEAD_JS = "() => window.cmTimeLayer ? window.cmTimeLayer.cmAhead : -1"


def _settled(p: Page, frame) -> None:  # type: ignore[no-untyped-def]
    """No run going, and the date layer holds the frame the server last sent."""
    p.page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
            && !document.querySelector('[data-stale="true"]')""",
        timeout=30_000,
    )
    p.page.wait_for_timeout(800)  # a report of the drawn frame may start one more run


def _as_fresh_page_draws(server: Server, p: Page, frame) -> None:  # type: ignore[no-untyped-def]
    """What this page draws is what a new visit to the date its slider shows draws."""
    _settled(p, frame)
    slider = p.page.locator('[data-testid="stSlider"] input[type="range"]').first
    shown = slider.get_attribute("aria-valuetext")
    other = Page(p.page.context.browser)
    other.page.goto(f"{server.base}/?date={shown}")
    other_frame = _frame(other)
    other_frame.wait_for_function(f"() => ({SEQ_JS})() >= 0", timeout=30_000)
    assert json.dumps(frame.evaluate(DRAWN_JS)) == json.dumps(other_frame.evaluate(DRAWN_JS)), (
        f"the map after the steps is not the map of {shown}"
    )
    other.close()


def test_steps_drawn_ahead_of_the_server_are_the_right_maps(
    layer_server: Server, page: Page
) -> None:
    p = page
    p.page.goto(f"{layer_server.base}/?date=2014-06-10")
    frame = _frame(p)
    frame.wait_for_function(f"() => ({SEQ_JS})() >= 0", timeout=30_000)
    slider = p.page.locator('[data-testid="stSlider"] input[type="range"]').first
    # One step at a time, forward and back: after the first, each is drawn from what the
    # page was given ahead (the server only confirms it), and is the right map.
    for key in ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"]:
        _settled(p, frame)
        slider.focus()
        slider.press(key)
    _as_fresh_page_draws(layer_server, p, frame)
    assert frame.evaluate(AHEAD_JS) >= 3, "no step was drawn ahead of the server"
    # Quick presses: the second comes before the first was answered; the map still ends right.
    slider.focus()
    for key in ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft"]:
        slider.press(key)
    _as_fresh_page_draws(layer_server, p, frame)
    p.assert_no_exception()
    assert p.blocked == []
