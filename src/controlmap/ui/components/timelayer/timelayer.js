// The map page's date layer, drawn into the streamlit-folium map next to this frame.
// Streamlit sends one message per slider step (controlmap/render/timelayer.py writes it): the
// items of the new frame as edits of the frame held here. Items that did not change keep their
// Leaflet layers, and nothing else of the map is touched: zoom, centre and basemap stay.
(function () {
  "use strict";
  var SCALE = 100000;
  var held = { seq: -1, day: null, items: [], ages: {} };
  var prior = null; // the frame held before this one (a step back draws it again)
  var ahead = { seq: -1, days: {} }; // steps given ahead, as edits of frame ``seq``
  var pending = null; // a step drawn ahead of the server, until it confirms: what came before
  var watching = null; // the CSS selector of the slider watched
  var confirmed = 0; // steps drawn ahead of the server that it then confirmed
  var host = null; // { win, map, group }: the Leaflet map this layer is drawn on
  var askedFor = null;
  var reported = -1; // the last frame this page said it drew
  var quiet = -1; // a frame drawn by a run of the whole page: not reported (its tables came along)
  var ages = {}; // since date -> evidence age on the frame's day, in words
  var AGE_MARK = /<cm-age data-since="([0-9-]+)"><\/cm-age>/g;

  function send(type, data) {
    if (leaving && type === "streamlit:setComponentValue") return;
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
  }

  // Once the reader clicks a link to another page of the app, neither this layer nor the
  // map reports anything more. Streamlit's frontend sends a component's report as a run of
  // the page it shows until the new page's run has begun, so a report of the map's (its
  // view, a frame drawn, a moment after the map is drawn) sent in between reaches the
  // server as a run of this page, after the click: run, it would bring this page back, or
  // have the browser clear the page the reader chose.
  var leaving = false;
  var page = window.parent;
  function onLeave(event) {
    if (!window.frameElement || !window.frameElement.isConnected) {
      page.document.removeEventListener("click", onLeave, true); // this layer left the page
      return;
    }
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) return;
    var here = page.location;
    var to = new URL(link.href, here.href);
    if (to.origin !== here.origin || to.pathname === here.pathname) return;
    leaving = true;
    muteMap(findHost());
  }
  page.document.addEventListener("click", onLeave, true);

  // streamlit-folium reports through the Streamlit object it puts on its frame's window.
  function muteMap(win) {
    if (win && win.Streamlit && typeof win.Streamlit.setComponentValue === "function") {
      win.Streamlit.setComponentValue = function () {};
    }
  }

  // Append the vertices of op[from..] (steps, each from the vertex before) to out.
  function steps(op, from, last, out) {
    var x = last[0];
    var y = last[1];
    for (var i = from; i < op.length; i += 2) {
      x += op[i];
      y += op[i + 1];
      out.push(x, y);
    }
  }

  function patchRing(old, ops) {
    var out = [];
    ops.forEach(function (op) {
      if (op[0] === 0) {
        for (var i = 2 * op[1]; i < 2 * (op[1] + op[2]); i++) out.push(old[i]);
      } else {
        var n = out.length;
        steps(op, 1, n ? [out[n - 2], out[n - 1]] : [0, 0], out);
      }
    });
    return out;
  }

  function applyRings(old, ops) {
    var rings = [];
    ops.forEach(function (op) {
      if (op[0] === 0) {
        for (var i = op[1]; i < op[1] + op[2]; i++) rings.push(old[i]);
      } else if (op[0] === 1) {
        var ring = [];
        steps(op, 1, [0, 0], ring);
        rings.push(ring);
      } else {
        rings.push(patchRing(old[op[1]], op[2]));
      }
    });
    return rings;
  }

  // Draw ``edit`` (items as edits of the frame held, or "prior": the frame held before it)
  // as frame ``seq`` of ``day``.
  function step(seq, day, edit) {
    var items;
    var frameAges;
    if (edit === "prior") {
      // The frame held before: its Leaflet layers may have been reshaped since, so every
      // layer is made again (a step back, rare next to steps forward).
      if (host) host.group.clearLayers();
      held.items.forEach(function (it) { it.layer = null; });
      items = prior.items.map(function (it) {
        return { kind: it.kind, props: it.props, rings: it.rings, layer: null };
      });
      frameAges = prior.ages;
    } else {
      var old = held.items;
      items = [];
      edit.items.forEach(function (e) {
        var was = e[1] >= 0 ? old[e[1]] : null;
        var props = e[2];
        if (props && props.like !== undefined) {
          props = Object.assign({}, items[props.like].props, { style: props.style });
        }
        var restyle =
          !was || (props !== null && JSON.stringify(props.style) !== JSON.stringify(was.props.style));
        var item = {
          kind: e[0],
          props: props || was.props,
          rings: was ? was.rings : [],
          // A layer is kept unless its look changed (Leaflet cannot change a path's class).
          layer: restyle ? null : was.layer,
          relabel: props !== null,
          reshape: e[3] !== null,
        };
        if (e[3] !== null) item.rings = item.kind === "d" ? [e[3]] : applyRings(item.rings, e[3]);
        items.push(item);
      });
      var carried = new Set(items.map(function (it) { return it.layer; }));
      held.items.forEach(function (it) {
        if (it.layer && !carried.has(it.layer) && host) host.group.removeLayer(it.layer);
      });
      frameAges = edit.ages || {};
    }
    prior = held;
    held = { seq: seq, day: day, items: items, ages: frameAges };
    ages = frameAges;
  }

  // Back to the frame held before a step drawn ahead of the server (it said otherwise).
  function rollBack() {
    var back = pending;
    pending = null;
    if (host) host.group.clearLayers();
    held = back.held;
    prior = back.prior;
    ahead = back.ahead;
    ages = held.ages;
    held.items.forEach(function (it) { it.layer = null; });
  }

  function apply(msg) {
    if (msg.report === false) quiet = msg.seq;
    if (pending) {
      if (msg.seq === held.seq && msg.day === held.day && msg.items === null) {
        // The server confirms the step drawn ahead: only now is it reported as drawn.
        pending = null;
        confirmed += 1;
        ahead = { seq: msg.seq, days: msg.ahead || {} };
        draw();
        return;
      }
      // The frame held before, sent again: after a pan the step is still to come, but when
      // the slider is back on that frame's date the step drawn ahead was undone.
      if (msg.seq === pending.held.seq && sliderDay() !== msg.day) return;
      rollBack();
      draw();
    }
    if (msg.seq === held.seq) {
      ahead = { seq: msg.seq, days: msg.ahead || {} }; // the same frame: new steps may be ready
      return;
    }
    var edit = msg;
    if (msg.base !== -1 && msg.base !== held.seq) edit = null;
    else if (msg.items === null) {
      edit = ahead.seq === held.seq ? ahead.days[msg.day] || null : null;
      if (edit === "prior" && !prior) edit = null;
    }
    if (edit === null) {
      // This page does not hold the frame the message edits (a missed step, a new page):
      // ask once for the whole frame.
      if (askedFor !== msg.seq) {
        askedFor = msg.seq;
        send("streamlit:setComponentValue", { value: { resync: msg.seq }, dataType: "json" });
      }
      return;
    }
    if (msg.base === -1) {
      if (host) host.group.clearLayers();
      held = { seq: -1, day: null, items: [], ages: {} };
      prior = null;
    }
    step(msg.seq, msg.day, edit);
    ahead = { seq: msg.seq, days: msg.ahead || {} };
    watchSlider(msg.watch);
    draw();
  }

  // The slider shows a new date: when this page was given that step ahead, draw it now, and
  // let the server's next message confirm it (or correct it).
  function predict(day) {
    if (pending && day === pending.held.day) {
      // Back on the date the server last drew before the step drawn ahead: undo it here
      // (the server may send nothing new: for it, nothing changed).
      rollBack();
      draw();
      return;
    }
    if (pending || !day || day === held.day || ahead.seq !== held.seq) return;
    var edit = ahead.days[day];
    if (!edit || (edit === "prior" && !prior)) return;
    pending = { held: held, prior: prior, ahead: ahead };
    step(held.seq + 1, day, edit);
    ahead = { seq: -2, days: {} };
    draw();
  }

  function sliderDay() {
    var el = watching ? window.parent.document.querySelector(watching) : null;
    return el ? el.getAttribute("aria-valuetext") : null;
  }

  function watchSlider(selector) {
    if (!selector || watching === selector) return;
    watching = selector;
    var doc = window.parent.document;
    var observer = new MutationObserver(function (changes) {
      if (!window.frameElement || !window.frameElement.isConnected) {
        observer.disconnect(); // this layer left the page
        return;
      }
      for (var i = 0; i < changes.length; i++) {
        var el = changes[i].target;
        if (el.matches && el.matches(watching)) {
          safely(function () { predict(el.getAttribute("aria-valuetext")); }, null);
          return;
        }
      }
    });
    observer.observe(doc.body, { subtree: true, attributes: true, attributeFilter: ["aria-valuetext"] });
    window.addEventListener("pagehide", function () { observer.disconnect(); });
  }

  function latlngs(rings) {
    return rings.map(function (r) {
      var out = [];
      for (var i = 0; i < r.length; i += 2) out.push([r[i + 1] / SCALE, r[i] / SCALE]);
      return out;
    });
  }

  // Labels carry a mark where the evidence age goes; it is worded for the date shown.
  function aged(html) {
    return html.replace(AGE_MARK, function (_, since) {
      var words = ages[since] || "";
      return words.replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
    });
  }

  function label(layer, item) {
    var p = item.props;
    layer.feature = {
      type: "Feature",
      geometry: { type: item.kind === "d" ? "Point" : "MultiPolygon" },
      properties: p,
    };
    layer.unbindTooltip();
    layer.unbindPopup();
    // Tooltip and popup are HTML made of escaped text on the server (render/layers.py).
    layer.bindTooltip(function () { return aged(p.tooltip); }, { sticky: true });
    layer.bindPopup(function () { return aged(p.popup); }, { maxWidth: 380 });
  }

  function make(L, item) {
    var style = item.props.style;
    var layer;
    if (item.kind === "d") {
      var v = item.rings[0];
      layer = L.circleMarker([v[1] / SCALE, v[0] / SCALE], style);
    } else {
      layer = L.polygon(latlngs(item.rings), Object.assign({ smoothFactor: 0.5 }, style));
      layer.on("mouseover", function () { layer.setStyle({ weight: 4 }); });
      layer.on("mouseout", function () { layer.setStyle({ weight: style.weight || 2 }); });
    }
    label(layer, item);
    return layer;
  }

  function findHost() {
    var frames = window.parent.document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]');
    for (var i = 0; i < frames.length; i++) {
      try {
        var w = frames[i].contentWindow;
        if (w && w.map && w.L) return w;
      } catch (err) {
        // not ready or not reachable: try the next one
      }
    }
    return null;
  }

  function draw() {
    var win = findHost();
    if (!win) return; // the map is not there yet: the watch below draws when it is
    if (!host || host.win !== win || host.map !== win.map) {
      // A new map (first draw, or the map was made again): every layer is made on it.
      host = { win: win, map: win.map, group: win.L.featureGroup().addTo(win.map) };
      win.cmTimeLayer = host.group;
      held.items.forEach(function (it) { it.layer = null; });
    }
    var L = win.L;
    held.items.forEach(function (it) {
      if (!it.layer) {
        it.layer = make(L, it);
        host.group.addLayer(it.layer);
      } else {
        if (it.reshape) {
          if (it.kind === "d") it.layer.setLatLng([it.rings[0][1] / SCALE, it.rings[0][0] / SCALE]);
          else it.layer.setLatLngs(latlngs(it.rings));
        }
        if (it.relabel) label(it.layer, it);
      }
      it.relabel = it.reshape = false;
    });
    held.items.forEach(function (it) { if (it.kind === "d") it.layer.bringToFront(); });
    host.group.cmSeq = held.seq; // which frame is drawn (tests and the benchmark read it)
    host.group.cmAhead = confirmed;
    if (reported !== held.seq && !pending) {
      // Said once per frame: the page then brings its tables up to this date, after the map.
      reported = held.seq;
      if (quiet !== held.seq) {
        send("streamlit:setComponentValue", { value: { drawn: held.seq }, dataType: "json" });
      }
    }
  }

  // The map may come after this frame, or be made again (new basemap): watch for it.
  setInterval(function () {
    var win = findHost();
    if (win && (!host || host.win !== win || host.map !== win.map)) draw();
  }, 250);

  // Whatever goes wrong applying a message, the page must not stay on a wrong or stale
  // map: start again from nothing and ask for the whole frame.
  function safely(run, msg) {
    try {
      run();
    } catch (err) {
      if (window.console) window.console.error("controlmap date layer:", err);
      pending = null;
      if (host) host.group.clearLayers();
      held = { seq: -1, day: null, items: [], ages: {} };
      prior = null;
      ahead = { seq: -1, days: {} };
      if (msg) {
        askedFor = msg.seq;
        send("streamlit:setComponentValue", {
          value: { resync: msg.seq, again: Date.now() },
          dataType: "json",
        });
      }
    }
  }

  window.addEventListener("message", function (event) {
    if (event.data && event.data.type === "streamlit:render") {
      var msg = event.data.args.msg;
      safely(function () { apply(msg); }, msg);
    }
  });
  send("streamlit:componentReady", { apiVersion: 1 });
  send("streamlit:setFrameHeight", { height: 0 });
})();
