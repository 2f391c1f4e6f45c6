// The admin page: a hash router over its views. Every view talks to the same JSON API as any other
// client, with the same function key, so the page itself holds no data and needs no authorisation.
import { $, api, say } from "./common.js";
import { showDashboard, wireDashboard } from "./dashboard.js";
import { showDevice, showDevices, wireDevices } from "./devices.js";
import { wireActions } from "./actions.js";
import { wireDoctor } from "./doctor.js";
import { wireUpload } from "./upload.js";

const TITLES = { "/": "Dashboard", "/upload": "Upload roster", "/devices": "Devices", "/device": "Handset",
  "/actions": "Codes and sign-in" };

const loadDashboard = async () => showDashboard((await api("api/summary")).body);

function parse() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [, first, rest] = hash.match(/^\/([^/]*)\/?(.*)$/) || [null, "", ""];
  const view = first === "device" ? "/device" : `/${first}`;
  return { view: view in TITLES ? view : "/", rest: decodeURIComponent(rest || "") };
}

async function route(moveFocus) {
  const { view, rest } = parse();
  for (const section of document.querySelectorAll("section[data-view]")) section.hidden = section.dataset.view !== view;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.getAttribute("href") === `#${view}`) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  document.title = `${TITLES[view]} · teams-sip`;
  say("");
  const section = $(`section[data-view="${view}"]`);
  const heading = section.querySelector("h2");
  // Assistive technology hears that the view is still loading; the previous handset's facts are not read out as this one's.
  section.setAttribute("aria-busy", "true");
  // Keyboard and screen-reader users land on the new view's heading, not back at the top of the page.
  if (moveFocus && heading) heading.focus();
  try {
    if (view === "/") await loadDashboard();
    else if (view === "/devices") await showDevices(false);
    else if (view === "/device") await showDevice(rest);
  } catch (err) { say(err.message, true); }
  finally { section.removeAttribute("aria-busy"); }
}

function wire() {
  window.addEventListener("hashchange", () => route(true));
  $("#key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const key = $("#key").value.trim();
    if (!key) { $("#key-help").textContent = "The key is empty: paste the function key."; $("#key").focus(); return; }
    sessionStorage.setItem("functionKey", key);
    $("#key").value = "";
    $("#key-form").hidden = true;
    route(true);
  });
  wireDashboard(loadDashboard);
  wireUpload();
  wireDevices();
  wireActions();
  wireDoctor();
}

wire();
route(false);
