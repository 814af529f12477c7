// The map page's date layer, drawn into the streamlit-folium map next to this frame.
// Streamlit sends one message per slider step (controlmap/render/timelayer.py writes it): the
// items of the new frame as edits of the frame held here. Items that did not change keep their
// Leaflet layers, and nothing else of the map is touched: zoom, centre and basemap stay.
(function () {
  "use strict";
  var SCALE = 100000;
  var held = { seq: -1, items: [] };
  var host = null; // { win, map, group }: the Leaflet map this layer is drawn on
  var askedFor = null;
  var reported = -1; // the last frame this page said it drew
  var ages = {}; // since date -> evidence age on the frame's day, in words
  var AGE_MARK = /<cm-age data-since="([0-9-]+)"><\/cm-age>/g;

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
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

  function apply(msg) {
    if (msg.seq === held.seq) return;
    if (msg.base !== -1 && msg.base !== held.seq) {
      // This page does not hold the frame the message edits (a missed step, a new page):
      // ask once for the whole frame.
      if (askedFor !== msg.seq) {
        askedFor = msg.seq;
        send("streamlit:setComponentValue", { value: { resync: msg.seq }, dataType: "json" });
      }
      return;
    }
    var old = msg.base === -1 ? [] : held.items;
    ages = msg.ages || {};
    var items = [];
    msg.items.forEach(function (e) {
      var was = e[1] >= 0 ? old[e[1]] : null;
      if (e[2] && e[2].like !== undefined) {
        e[2] = Object.assign({}, items[e[2].like].props, { style: e[2].style });
      }
      var restyle =
        !was || (e[2] !== null && JSON.stringify(e[2].style) !== JSON.stringify(was.props.style));
      var item = {
        kind: e[0],
        props: e[2] || was.props,
        rings: was ? was.rings : [],
        // A layer is kept unless its look changed (Leaflet cannot change a path's class).
        layer: restyle ? null : was.layer,
        relabel: e[2] !== null,
        reshape: e[3] !== null,
      };
      if (e[3] !== null) item.rings = item.kind === "d" ? [e[3]] : applyRings(item.rings, e[3]);
      items.push(item);
    });
    var carried = new Set(items.map(function (it) { return it.layer; }));
    held.items.forEach(function (it) {
      if (it.layer && !carried.has(it.layer) && host) host.group.removeLayer(it.layer);
    });
    held = { seq: msg.seq, items: items };
    draw();
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
    if (reported !== held.seq) {
      // Said once per frame: the page then brings its tables up to this date, after the map.
      reported = held.seq;
      send("streamlit:setComponentValue", { value: { drawn: held.seq }, dataType: "json" });
    }
  }

  // The map may come after this frame, or be made again (new basemap): watch for it.
  setInterval(function () {
    var win = findHost();
    if (win && (!host || host.win !== win || host.map !== win.map)) draw();
  }, 250);

  window.addEventListener("message", function (event) {
    if (event.data && event.data.type === "streamlit:render") apply(event.data.args.msg);
  });
  send("streamlit:componentReady", { apiVersion: 1 });
  send("streamlit:setFrameHeight", { height: 0 });
})();
