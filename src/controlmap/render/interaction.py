"""How an embedded map behaves in a scrolling page: wheel, focus, legend, labels, controls."""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

# Narrower than this (in CSS pixels), the map is on a phone: the legend starts folded.
NARROW_PX = 600


class PageFriendly(MacroElement):  # type: ignore[misc]
    """Make a map embedded in a long page behave as readers expect.

    - The wheel scrolls the page; it zooms the map only after a click on the map (until a
      click elsewhere) or while Ctrl / Cmd is held. A short hint says so.
    - A click on the map focuses it without scrolling the page (Leaflet's own focus call
      would scroll the host page to bring the frame into view, and the click would miss).
    - The legend folds and unfolds from its heading; it starts folded on a narrow map.
    - Town labels that would overlap a label already placed, or the legend, are hidden
      (labels come most important first).
    - The scale bar is lifted above the attribution when the two would overlap.
    - On a narrow map the credits keep one line and open in full on a tap.
    - With ``fit`` (min lon, min lat, max lon, max lat), the map opens on that box as this
      screen shows it (a phone is narrower than the view guessed on the server), keeping it
      clear of the legend, until the reader moves a map (a view the reader chose is kept).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            var doc = box.ownerDocument;
            // A click on the map focuses it; a click anywhere else in the page takes the
            // focus away, and the wheel scrolls the page again.
            function armed() { return doc.hasFocus() && doc.activeElement === box; }

            var hint = L.DomUtil.create("div", "cm-wheel-hint", box);
            hint.textContent = "Click the map to zoom with the wheel (or hold Ctrl)";
            var hintTimer = null;
            function showHint() {
                hint.classList.add("cm-show");
                clearTimeout(hintTimer);
                hintTimer = setTimeout(function () { hint.classList.remove("cm-show"); }, 1200);
            }
            // Leaflet's wheel handler stays on (the browser must know the wheel may be
            // cancelled before it starts scrolling); a wheel the map should not take is
            // stopped here, on its way down, and scrolls the page as usual.
            doc.addEventListener("wheel", function (e) {
                if (!box.contains(e.target) || armed() || e.ctrlKey || e.metaKey) return;
                e.stopPropagation();
                showHint();
            }, {capture: true, passive: true});
            doc.addEventListener("mousedown", function (e) {
                if (!box.contains(e.target)) return;
                if (doc.activeElement !== box) box.focus({preventScroll: true});
            }, true);

            function tidy() {
                var legend = box.querySelector(".cm-legend");
                var keep = [];
                if (legend) keep.push(legend.getBoundingClientRect());
                var labels = box.querySelectorAll(".cm-label");
                labels.forEach(function (el) { el.style.visibility = ""; });
                labels.forEach(function (el) {
                    // A label's box is zero-wide (its marker icon has no size): the text
                    // runs on, so its width is the scroll width.
                    var b = el.getBoundingClientRect(), w = Math.max(b.width, el.scrollWidth);
                    var r = {left: b.left, right: b.left + w, top: b.top, bottom: b.bottom};
                    if (!w) return;
                    var hit = keep.some(function (k) {
                        return r.left < k.right + 2 && r.right > k.left - 2 &&
                               r.top < k.bottom + 1 && r.bottom > k.top - 1;
                    });
                    if (hit) el.style.visibility = "hidden"; else keep.push(r);
                });
                var scale = box.querySelector(".leaflet-bottom.leaflet-left");
                var credit = box.querySelector(".leaflet-control-attribution");
                if (scale && credit) {
                    scale.style.marginBottom = "";
                    var s = scale.getBoundingClientRect(), c = credit.getBoundingClientRect();
                    if (s.right > c.left && s.bottom > c.top && c.width) {
                        scale.style.marginBottom = (s.bottom - c.top + 2) + "px";
                    }
                }
            }

            function foldLegend() {
                var legend = box.querySelector(".cm-legend");
                if (!legend || legend.dataset.foldable) return;
                legend.dataset.foldable = "1";
                var head = legend.querySelector("h4");
                if (!head) return;
                var button = doc.createElement("button");
                button.type = "button";
                button.className = "cm-legend-toggle";
                head.parentNode.insertBefore(button, head);
                button.appendChild(head);
                function set(folded) {
                    legend.classList.toggle("cm-folded", folded);
                    button.setAttribute("aria-expanded", folded ? "false" : "true");
                    button.title = folded ? "Show the legend" : "Hide the legend";
                    setTimeout(tidy, 0);
                }
                L.DomEvent.on(button, "click", function (e) {
                    L.DomEvent.stop(e);
                    set(!legend.classList.contains("cm-folded"));
                });
                set(box.clientWidth < {{ this.narrow }});
            }

            // On a narrow map the credits run over several lines across the map: they keep
            // one line, cut short, and open in full on a tap (a tap on a link follows it).
            function foldCredits() {
                var credit = box.querySelector(".leaflet-control-attribution");
                if (!credit || credit.dataset.foldable || box.clientWidth >= {{ this.narrow }})
                    return;
                credit.dataset.foldable = "1";
                credit.classList.add("cm-credits-folded");
                credit.title = "Show the credits in full";
                L.DomEvent.on(credit, "click", function (e) {
                    if (e.target.closest("a")) return;
                    L.DomEvent.stop(e);
                    var folded = credit.classList.toggle("cm-credits-folded");
                    credit.title = folded ? "Show the credits in full" : "";
                    setTimeout(tidy, 0);
                });
            }

            var style = doc.createElement("style");
            style.textContent = {{ this.css|tojson }};
            doc.head.appendChild(style);
            // Labels and layers arrive in bursts (hundreds of layeradd events): tidy once after.
            var queued = false;
            function later() {
                if (queued) return;
                queued = true;
                setTimeout(function () { queued = false; tidy(); }, 30);
            }
            // The opening view: the box, clear of the legend (beside it or above it,
            // whichever shows the box larger). The frame takes its size after the map is
            // made, so the view is fitted again on each resize until the reader touches it.
            var fit = {{ this.fit|tojson }};
            function fitOpening() {
                var bounds = L.latLngBounds([fit[1], fit[0]], [fit[3], fit[2]]);
                // The legend sits in the bottom-right corner, over the credits: measured by
                // its size (its place may not be laid out yet).
                var legend = box.querySelector(".cm-legend");
                var corner = box.querySelector(".leaflet-bottom.leaflet-right");
                var size = map.getSize(), pad = 12, right = 0, below = 0;
                if (legend && legend.offsetWidth && corner) {
                    right = legend.offsetWidth + 10 + pad;
                    below = corner.offsetHeight + pad;
                }
                var options = [L.point(pad + right, pad), L.point(pad, pad + below)].filter(
                    function (p) { return size.x - p.x - pad > 60 && size.y - p.y - pad > 60; });
                if (!options.length) return;  // not laid out yet
                var zooms = options.map(function (p) {
                    return map.getBoundsZoom(bounds, false, p.add([pad, pad]));
                });
                var best = zooms.length > 1 && zooms[1] > zooms[0] ? options[1] : options[0];
                map.fitBounds(bounds, {paddingTopLeft: [pad, pad], paddingBottomRight: best,
                                       maxZoom: {{ this.max_zoom }}, animate: false});
            }
            // Until the reader pans, zooms or clicks a map of this browser page, every map
            // made again (a filter, a cold start, a return from another page) opens on the
            // fitted view; after that, on the view the reader left.
            function openOnFit() {
                var host = window.parent;
                try { host.cmTouched = host.cmTouched || false; } catch (e) { host = window; }
                if (host.cmTouched) return;
                ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
                    box.addEventListener(name, function () { host.cmTouched = true; }, true);
                });
                fitOpening();
                map.on("resize", function () { if (!host.cmTouched) fitOpening(); });
            }
            map.whenReady(function () {
                setTimeout(function () {
                    foldLegend();
                    foldCredits();
                    if (fit) openOnFit();
                    tidy();
                }, 0);
            });
            map.on("zoomend moveend resize layeradd", later);
        })();
        {% endmacro %}
        """
    )

    css = (
        ".cm-wheel-hint{position:absolute;left:50%;top:50%;transform:translate(-50%,-50%);"
        "z-index:1000;background:rgba(0,0,0,.7);color:#fff;padding:6px 12px;"
        "border-radius:4px;font:13px sans-serif;pointer-events:none;opacity:0;"
        "transition:opacity .2s}"
        ".cm-wheel-hint.cm-show{opacity:1}"
        ".cm-legend-toggle{all:unset;cursor:pointer;display:flex;align-items:center;gap:4px}"
        ".cm-legend-toggle::after{content:'\\25BE';font-size:12px}"
        ".cm-legend.cm-folded .cm-legend-toggle::after{content:'\\25B8'}"
        ".cm-legend.cm-folded > :not(.cm-legend-toggle){display:none}"
        ".cm-legend.cm-folded h4{margin:0}"
        ".leaflet-container:focus{outline:none}"
        ".leaflet-control-attribution.cm-credits-folded{white-space:nowrap;overflow:hidden;"
        "text-overflow:ellipsis;max-width:calc(100vw - 24px);cursor:pointer}"
    )

    def __init__(
        self, fit: tuple[float, float, float, float] | None = None, max_zoom: int = 9
    ) -> None:
        super().__init__()
        self._name = "PageFriendly"
        self.narrow = NARROW_PX
        self.fit = [round(v, 5) for v in fit] if fit else None
        self.max_zoom = int(max_zoom)
