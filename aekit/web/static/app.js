// aekit latent explorer: the map on a canvas, the panels beside it. Hand-written, no library,
// nothing fetched but this server's /api routes.
"use strict";

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2",
  "#c7c7c7", "#dbdb8d", "#9edae5"];
const HOVER_RADIUS = 10;  // px: the nearest point within it is hovered
const $ = (id) => document.getElementById(id);

// state, exposed for the browser test as window.aekit
const state = {
  view: null, color: "none", yaw: -0.6, pitch: 0.4, screen: null, hovered: -1, picks: [],
  cache: new Map(), code: null, hoverTimings: [], ready: false, decodes: 0, strips: 0, busy: false, queued: null,
};
window.aekit = state;

function status(text) { $("status").textContent = text; }

async function api(path, body) {
  const options = body === undefined ? {} :
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(`${response.status}: ${data.error}`);
  return data;
}

// ------------------------------------------------------------------ drawing samples
function drawSample(canvas, values, x0 = 0, w = canvas.width, h = canvas.height, mode = "values") {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(x0, 0, w, h);
  const v = state.view;
  if (v.kind === "image") {
    const [H, W, C = 1] = v.image_shape;
    const image = ctx.createImageData(W, H);
    for (let p = 0; p < H * W; p++) {
      for (let c = 0; c < 3; c++) {
        // one channel: ink is dark (gray_r, as the static figures draw it)
        image.data[4 * p + c] = C === 1 ? 255 - values[p] : values[p * C + c];
      }
      image.data[4 * p + 3] = 255;
    }
    const scratch = document.createElement("canvas");
    scratch.width = W; scratch.height = H;
    scratch.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    const scale = Math.min(w / W, h / H);
    ctx.drawImage(scratch, x0 + (w - W * scale) / 2, (h - H * scale) / 2, W * scale, H * scale);
  } else {
    drawBars(ctx, values, x0, w, h, mode === "errors" ? "#d92d20" : "#2563eb");
  }
}

function drawBars(ctx, values, x0, w, h, colour) {
  const n = values.length;
  const top = Math.max(1e-12, ...values.map(Math.abs));
  const signed = values.some((x) => x < 0);
  const base = signed ? h / 2 : h - 2;
  const bw = Math.max(1, (w - 4) / n);
  ctx.fillStyle = colour;
  for (let j = 0; j < n; j++) {
    const len = (values[j] / top) * (signed ? h / 2 - 2 : h - 4);
    ctx.fillRect(x0 + 2 + j * bw, Math.min(base, base - len), Math.max(1, bw - 1), Math.abs(len));
  }
  ctx.strokeStyle = "#98a2b3";
  ctx.beginPath(); ctx.moveTo(x0, base); ctx.lineTo(x0 + w, base); ctx.stroke();
}

function drawStrip(canvas, rows) {
  const ctx = canvas.getContext("2d");
  const cell = Math.min(84, Math.floor(canvas.width / rows.length));
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  rows.forEach((row, i) => drawSample(canvas, row, i * cell, cell - 4, canvas.height));
}

// ------------------------------------------------------------------ the map
function colourOf(i) {
  const v = state.view;
  if (state.color === "label" && v.labels && v.classes.length) return PALETTE[v.classes.indexOf(v.labels[i]) % PALETTE.length];
  if (state.color === "error") {
    if (v.threshold !== null && v.errors[i] > v.threshold) return "#d92d20";
    const t = Math.min(1, (v.errors[i] - state.errLow) / (state.errHigh - state.errLow || 1));
    return `hsl(${220 - 180 * t}, 70%, ${62 - 22 * t}%)`;  // blue (small) to amber (large)
  }
  return "#2563eb";
}

function project(p) {  // map coordinates -> canvas pixels; 3-D: rotate (yaw, pitch), orthographic
  const v = state.view, canvas = $("map");
  if (v.dim === 2) {
    return [state.pad + (p[0] - state.lo[0]) * state.scale, canvas.height - state.pad - (p[1] - state.lo[1]) * state.scale, 0];
  }
  const q = [0, 1, 2].map((k) => (p[k] - state.centre[k]) / state.radius);
  const cy = Math.cos(state.yaw), sy = Math.sin(state.yaw), cp = Math.cos(state.pitch), sp = Math.sin(state.pitch);
  const x = cy * q[0] + sy * q[1];
  const y1 = -sy * q[0] + cy * q[1];
  const y = cp * q[2] - sp * y1;
  const depth = sp * q[2] + cp * y1;
  const r = Math.min(canvas.width, canvas.height) / 2 - state.pad;
  return [canvas.width / 2 + x * r, canvas.height / 2 - y * r, depth];
}

function unproject(px, py) {  // canvas pixel -> map coordinates (3-D: on the plane through the centre facing the viewer)
  const v = state.view, canvas = $("map");
  if (v.dim === 2) return [state.lo[0] + (px - state.pad) / state.scale, state.lo[1] + (canvas.height - state.pad - py) / state.scale];
  const r = Math.min(canvas.width, canvas.height) / 2 - state.pad;
  const x = (px - canvas.width / 2) / r, y = -(py - canvas.height / 2) / r;
  const cy = Math.cos(state.yaw), sy = Math.sin(state.yaw), cp = Math.cos(state.pitch), sp = Math.sin(state.pitch);
  // invert: depth = 0; z = cp*y + sp*0; y1 = -sp*y + cp*0; then undo the yaw
  const qz = cp * y, y1 = -sp * y;
  const q = [cy * x - sy * y1, sy * x + cy * y1, qz];
  return [0, 1, 2].map((k) => state.centre[k] + q[k] * state.radius);
}

function frame() {
  const v = state.view, canvas = $("map");
  const pts = v.points;
  const lo = [0, 1, 2].slice(0, v.dim).map((k) => Math.min(...pts.map((p) => p[k])));
  const hi = [0, 1, 2].slice(0, v.dim).map((k) => Math.max(...pts.map((p) => p[k])));
  state.pad = 24;
  if (v.dim === 2) {
    const span = [hi[0] - lo[0] || 1, hi[1] - lo[1] || 1];
    state.scale = Math.min((canvas.width - 2 * state.pad) / span[0], (canvas.height - 2 * state.pad) / span[1]);
    state.lo = [lo[0] - ((canvas.width - 2 * state.pad) / state.scale - span[0]) / 2,
      lo[1] - ((canvas.height - 2 * state.pad) / state.scale - span[1]) / 2];
  } else {
    state.centre = lo.map((l, k) => (l + hi[k]) / 2);
    state.radius = Math.max(...pts.map((p) => Math.hypot(...p.map((c, k) => c - state.centre[k])))) || 1;
  }
  const sorted = [...v.errors].sort((a, b) => a - b);
  state.errLow = sorted[0];
  state.errHigh = sorted[Math.floor(0.99 * (sorted.length - 1))];
}

function drawMap() {
  const v = state.view, canvas = $("map-base"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  state.screen = v.points.map(project);
  if (v.dim === 3) drawAxes(ctx);
  const order = v.dim === 3 ? [...state.screen.keys()].sort((a, b) => state.screen[a][2] - state.screen[b][2]) : state.screen.keys();
  const text = v.labels && !v.classes.length && v.n_shown <= 300;  // few points with their own labels: write them
  const radius = v.n_shown > 2000 ? 2 : 3.5;
  ctx.globalAlpha = v.n_shown > 2000 ? 0.7 : 0.9;
  for (const i of order) {
    const [x, y] = state.screen[i];
    ctx.fillStyle = colourOf(i);
    if (text) {
      ctx.font = "bold 15px system-ui, sans-serif";
      ctx.fillText(v.labels[i], x - 4, y + 5);
    } else {
      ctx.beginPath(); ctx.arc(x, y, radius, 0, 2 * Math.PI); ctx.fill();
    }
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = "#667085"; ctx.font = "12px system-ui, sans-serif";
  if (v.dim === 2) {
    ctx.fillText(v.axis_names[0] + " →", canvas.width - 60, canvas.height - 6);
    ctx.save(); ctx.translate(12, 60); ctx.rotate(-Math.PI / 2); ctx.fillText(v.axis_names[1] + " →", 0, 0); ctx.restore();
  } else {
    ctx.fillText("drag to rotate", 8, canvas.height - 8);
  }
  drawOverlay();
}

function drawAxes(ctx) {
  const origin = project(state.centre);
  ["z1", "z2", "z3"].forEach((name, k) => {
    const end = [...state.centre]; end[k] += state.radius * 0.8;
    const e = project(end);
    ctx.strokeStyle = "#98a2b3"; ctx.beginPath(); ctx.moveTo(origin[0], origin[1]); ctx.lineTo(e[0], e[1]); ctx.stroke();
    ctx.fillStyle = "#667085"; ctx.fillText(name, e[0] + 3, e[1] - 3);
  });
}

function drawOverlay() {
  const canvas = $("map"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  state.picks.forEach((i, k) => {
    const [x, y] = state.screen[i];
    ctx.strokeStyle = "#111827"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(x, y, 7, 0, 2 * Math.PI); ctx.stroke();
    ctx.fillStyle = "#111827"; ctx.font = "bold 12px system-ui"; ctx.fillText("AB"[k], x + 8, y - 8);
  });
  if (state.picks.length === 2) {
    const [a, b] = state.picks.map((i) => state.screen[i]);
    ctx.setLineDash([4, 4]); ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke(); ctx.setLineDash([]);
  }
  if (state.hovered >= 0) {
    const [x, y] = state.screen[state.hovered];
    ctx.strokeStyle = "#2563eb"; ctx.lineWidth = 2.5;
    ctx.beginPath(); ctx.arc(x, y, 9, 0, 2 * Math.PI); ctx.stroke();
  }
  if (state.clicked) {
    const [x, y] = state.clicked;
    ctx.strokeStyle = "#d92d20"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(x - 7, y); ctx.lineTo(x + 7, y); ctx.moveTo(x, y - 7); ctx.lineTo(x, y + 7); ctx.stroke();
  }
  ctx.lineWidth = 1;
}

function drawLegend() {
  const v = state.view, legend = $("legend");
  legend.textContent = "";
  if (state.color === "label" && v.classes.length) {
    v.classes.forEach((c, k) => {
      const item = document.createElement("span");
      const dot = document.createElement("span");
      dot.className = "swatch"; dot.style.background = PALETTE[k % PALETTE.length];
      item.append(dot, c); legend.append(item);
    });
  } else if (state.color === "error") {
    const bar = document.createElement("canvas");
    bar.width = 320; bar.height = 28; bar.id = "error-bar";
    const ctx = bar.getContext("2d");
    for (let x = 0; x < 300; x++) {
      const t = x / 299;
      ctx.fillStyle = `hsl(${220 - 180 * t}, 70%, ${62 - 22 * t}%)`;
      ctx.fillRect(10 + x, 0, 1, 12);
    }
    ctx.fillStyle = "#667085"; ctx.font = "11px system-ui";
    ctx.fillText(state.errLow.toPrecision(3), 10, 25);
    ctx.fillText(state.errHigh.toPrecision(3), 280, 25);
    legend.append("reconstruction error ", bar);
    if (v.threshold !== null) {
      const t = Math.min(1, Math.max(0, (v.threshold - state.errLow) / (state.errHigh - state.errLow || 1)));
      ctx.fillStyle = "#d92d20"; ctx.fillRect(10 + t * 299 - 1, 0, 3, 16);
      const note = document.createElement("span");
      const flagged = v.errors.filter((e) => e > v.threshold).length;
      note.textContent = `threshold ${v.threshold.toPrecision(3)} (red mark): ${flagged} of ${v.n_shown} above, drawn red`;
      note.id = "threshold-note";
      legend.append(note);
    }
  }
}

// ------------------------------------------------------------------ interaction
function nearest(px, py) {
  let best = -1, bestD = HOVER_RADIUS * HOVER_RADIUS;
  const s = state.screen;
  for (let i = 0; i < s.length; i++) {
    const dx = s[i][0] - px, dy = s[i][1] - py, d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}

async function sampleOf(i) {
  if (!state.cache.has(i)) state.cache.set(i, api(`/api/sample/${i}`));
  return state.cache.get(i);
}

function onHover(event) {
  if (state.dragging) return;
  const rect = $("map").getBoundingClientRect();
  const i = nearest(event.clientX - rect.left, event.clientY - rect.top);
  if (i === state.hovered) return;
  state.hovered = i;
  drawOverlay();
  if (i < 0) return;
  const v = state.view;
  $("hover-label").textContent = v.labels ? v.labels[i] : `#${i}`;
  $("hover-error").textContent = v.errors[i].toPrecision(4) + (v.threshold !== null && v.errors[i] > v.threshold ? " (above the threshold)" : "");
  const sync = performance.now() - event.timeStamp;
  sampleOf(i).then((s) => {
    if (state.hovered !== i) return;
    if (v.kind === "image") {
      drawSample($("hover-input"), s.input);
      drawSample($("hover-recon"), s.reconstruction);
    } else {  // tabular: the per-feature error bars in place of the input, the reconstruction's values beside
      drawSample($("hover-input"), s.feature_errors, 0, undefined, undefined, "errors");
      $("hover-input-caption").textContent = s.feature_error_kind + " per feature";
      drawSample($("hover-recon"), s.reconstruction);
    }
    $("hover-card").dataset.index = i;
    state.hoverTimings.push({ index: i, sync, full: performance.now() - event.timeStamp });
  }).catch((e) => status(e.message));
}

async function decodeCodes(body, what) {
  // one request in flight; the latest request waits and replaces any older waiting one
  if (state.busy) { state.queued = [body, what]; return; }
  state.busy = true;
  try {
    const out = await api("/api/decode", body);
    drawSample($("decoded"), out.decoded[0]);
    state.code = out.codes[0];
    state.decodes += 1;
    $("decoded").dataset.count = state.decodes;
    $("decoded-code").textContent = `${what}: z = (${state.code.slice(0, 4).map((c) => c.toFixed(2)).join(", ")}${state.code.length > 4 ? ", …" : ""})`;
    if (what !== "slider") setSliders(state.code);
  } catch (e) {
    status(e.message);
  } finally {
    state.busy = false;
    if (state.queued) { const [b, w] = state.queued; state.queued = null; decodeCodes(b, w); }
  }
}

function setSliders(code) {
  const box = $("sliders"), limits = state.view.code_limits;
  if (box.children.length !== limits.length) {
    box.textContent = "";
    limits.forEach(([lo, hi], k) => {
      const label = document.createElement("label");
      const input = document.createElement("input");
      Object.assign(input, { type: "range", min: lo, max: hi, step: (hi - lo) / 200 || 0.01 });
      input.dataset.dim = k;
      input.addEventListener("input", onSlider);
      const value = document.createElement("span");
      label.append(`z${k + 1}`, input, value);
      box.append(label);
    });
  }
  [...box.querySelectorAll("input")].forEach((input, k) => {
    input.value = code[k];
    input.nextSibling.textContent = Number(code[k]).toFixed(2);
  });
}

function onSlider(event) {
  if (!state.code) return;
  const k = Number(event.target.dataset.dim);
  const code = [...state.code];
  code[k] = Number(event.target.value);
  state.code = code;
  event.target.nextSibling.textContent = code[k].toFixed(2);
  decodeCodes({ codes: [code] }, "slider");
}

async function pick(i) {
  state.picks = [...state.picks, i].slice(-2);
  const v = state.view, name = (j) => (v.labels ? v.labels[j] : `#${j}`);
  $("pick-a").textContent = `A: ${name(state.picks[0])}`;
  $("pick-b").textContent = state.picks.length > 1 ? `B: ${name(state.picks[1])}` : "B: –";
  drawOverlay();
  if (state.picks.length < 2) return;
  try {
    const out = await api("/api/interpolate", { start: state.picks[0], end: state.picks[1], steps: 10 });
    drawStrip($("strip-linear"), out.linear);
    drawStrip($("strip-spherical"), out.spherical);
    state.strips += 1;
    $("strip-card").dataset.count = state.strips;
  } catch (e) {
    status(e.message);
  }
}

function onClick(px, py) {
  const rect = $("map").getBoundingClientRect();
  const x = px - rect.left, y = py - rect.top;
  const i = nearest(x, y);
  state.clicked = [x, y];
  if (i >= 0) {  // a sample: decode its own code, and pick it as an end of the strip
    decodeCodes({ map_points: [state.view.points[i]] }, `sample ${state.view.labels ? state.view.labels[i] : "#" + i}`);
    pick(i);
  } else {
    decodeCodes({ map_points: [unproject(x, y)] }, "clicked point");
  }
  drawOverlay();
}

function wire() {
  const map = $("map");
  map.addEventListener("mousemove", (event) => {
    if (state.dragging) {
      const dx = event.clientX - state.dragging[0], dy = event.clientY - state.dragging[1];
      if (Math.abs(dx) + Math.abs(dy) > 3) state.moved = true;
      state.yaw += dx * 0.01; state.pitch = Math.max(-1.5, Math.min(1.5, state.pitch + dy * 0.01));
      state.dragging = [event.clientX, event.clientY];
      if (state.moved) drawMap();
      return;
    }
    onHover(event);
  });
  map.addEventListener("mousedown", (event) => {
    if (state.view.dim === 3) { state.dragging = [event.clientX, event.clientY]; state.moved = false; }
  });
  map.addEventListener("mouseup", (event) => {
    const moved = state.moved;
    state.dragging = null; state.moved = false;
    if (!moved) onClick(event.clientX, event.clientY);
  });
  map.addEventListener("mouseleave", () => { state.dragging = null; });
  $("color-by").addEventListener("change", (event) => { state.color = event.target.value; drawMap(); drawLegend(); });
}

async function start() {
  try {
    const v = await api("/api/map");
    state.view = v;
    state.color = v.color_by;
    $("color-by").value = v.color_by;
    if (!v.labels) $("color-by").querySelector('[value="label"]').disabled = true;
    const shape = v.kind === "image" ? `images ${v.image_shape.join("×")} (${v.image_shape_source})` : `tabular, ${v.feature_names.length} features`;
    const shown = v.n_shown < v.n_total ? `${v.n_shown.toLocaleString()} of ${v.n_total.toLocaleString()} samples (random subsample)` : `${v.n_shown.toLocaleString()} samples`;
    const how = v.method === "identity" ? `${v.latent_dim}-D codes as they are` : `${v.latent_dim}-D codes, ${v.method.toUpperCase()} projection`;
    $("info").textContent = `${shown} · ${how} · ${shape} · a click decodes ${v.click_decodes}`;
    ["hover-input", "hover-recon", "decoded"].forEach((id) => $(id).classList.add("sample"));
    frame();
    wire();
    drawMap();
    drawLegend();
    state.ready = true;
    $("map").dataset.ready = "1";
  } catch (e) {
    status(`could not load the map: ${e.message}`);
  }
}

start();
