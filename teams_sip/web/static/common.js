// What every view shares: DOM helpers, the status line, and calls to the JSON API with the function key.
export const $ = (sel, root) => (root || document).querySelector(sel);

export function el(tag, value, attrs) {
  const node = document.createElement(tag);
  if (value != null) node.textContent = String(value);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) node.setAttribute(k, v);
  return node;
}

export function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell == null ? "" : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

export const words = (state) => String(state || "").replaceAll("_", " ");

/** The status line is a live region, so screen readers hear results without moving focus. */
export function say(message, isError) {
  const node = $("#status");
  node.textContent = message || "";
  node.classList.toggle("error", !!isError);
}

export class KeyNeeded extends Error {}

/** Same authorisation as any API client: the function key travels in x-functions-key. */
export function authHeaders(extra) {
  const h = Object.assign({}, extra || {});
  const key = sessionStorage.getItem("functionKey");
  if (key) h["x-functions-key"] = key;
  return h;
}

export function askForKey() {
  const form = $("#key-form");
  const known = !!sessionStorage.getItem("functionKey");
  form.hidden = false;
  $("#key-help").textContent = known ? "That key was refused: enter a valid function key." : "Enter the function key to continue.";
  $("#key").focus();
  return new KeyNeeded(known ? "The function key was refused: enter a valid one above." : "This service needs a function key: enter it above.");
}

function messageOf(body, response) {
  if (body && body.error && body.error.message) return body.error.message;
  return `The service answered ${response.status} ${response.statusText}.`;
}

/** JSON API call; a 400 with a report (import validation) is an answer, not a failure. */
export async function api(path, options) {
  let response;
  try {
    response = await fetch(path, Object.assign({}, options, { headers: authHeaders((options || {}).headers) }));
  } catch (_) {
    throw new Error("The service could not be reached: is teams-sip still running?");
  }
  if (response.status === 401) throw askForKey();
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok && !(response.status === 400 && body && body.report)) throw new Error(messageOf(body, response));
  return { status: response.status, body };
}

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", null, { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Worksheets need the key header, so a plain link cannot fetch them: fetch, then save. */
export async function download(path, name) {
  try {
    const response = await fetch(path, { headers: authHeaders() });
    if (response.status === 401) throw askForKey();
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new Error(messageOf(body, response));
    }
    saveBlob(await response.blob(), name);
    say(`Downloaded ${name}.`);
  } catch (err) { say(`Download failed: ${err.message}`, true); }
}

/** Links by the site's key: a name holding `/` or `..` cannot travel in a URL path, its key can. */
export function worksheetLinks(site, day, key) {
  const links = el("span", null, { class: "links" });
  for (const fmt of ["csv", "html"]) {
    const href = `api/worksheets/${encodeURIComponent(key || site)}/${day}?format=${fmt}`;
    const a = el("a", `${fmt.toUpperCase()}`, { href, "aria-label": `Worksheet for ${site} on ${day} (${fmt.toUpperCase()})` });
    a.addEventListener("click", (event) => { event.preventDefault(); download(href, `${site}-${day}.${fmt}`); });
    links.append(a, " ");
  }
  return links;
}

/** POST a file with upload progress (fetch cannot report it); resolves with status and parsed body. */
export function uploadFile(file, path, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const bar = progress ? $(progress) : null;
    const label = bar ? $(`${progress}-text`) : null;
    const show = (pct) => { if (bar) { bar.value = pct; label.textContent = `${pct}%`; } };
    if (bar) { bar.parentElement.hidden = false; show(0); }
    xhr.open("POST", path);
    // Multipart, never a raw body: the local server refuses the types a foreign page can send unasked.
    const form = new FormData();
    form.append("file", file, file.name);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) show(Math.round((100 * e.loaded) / e.total)); };
    xhr.onload = () => {
      show(100);
      if (xhr.status === 401) { reject(askForKey()); return; }
      let body;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = { error: { message: xhr.responseText || `HTTP ${xhr.status}` } }; }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error("The upload failed: the service could not be reached."));
    xhr.send(form);
  });
}

/** `2026-03-16T06:00:00+00:00` -> `2026-03-16 06:00 UTC` (the service clock is UTC). */
export function utcText(iso) {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "";
}
