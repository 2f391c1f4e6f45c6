// Devices: the filterable list, and one handset's page with its history (in site time) and its actions.
import { $, api, el, row, say, words, worksheetLinks } from "./common.js";
import { STATE_COLOURS } from "./dashboard.js";

let nextPage = null;
let current = null;

function fillStates() {
  const select = $("#f-state");
  if (select.options.length > 1) return;
  for (const state of Object.keys(STATE_COLOURS)) select.appendChild(el("option", words(state), { value: state }));
}

export async function showDevices(append) {
  fillStates();
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($("#device-filter"))) if (v) params.set(k, v);
  if (append && nextPage) params.set("page", nextPage);
  const { body } = await api(`api/devices?${params}`);
  const tbody = $("#devices tbody");
  if (!append) tbody.replaceChildren();
  for (const d of body.devices) {
    const link = el("a", d.dashed || d.hardware_id, { href: `#/device/${d.hardware_id}` });
    tbody.appendChild(row([link, d.upn, d.site, d.install_date, words(d.state), d.code_expires_local || "-"]));
  }
  nextPage = body.next;
  $("#more-devices").hidden = !nextPage;
  $("#devices-count").textContent = tbody.children.length ? `${tbody.children.length} handset(s) shown.` : "No handset matches.";
}

export async function showDevice(hardwareId) {
  const { body } = await api(`api/devices/${encodeURIComponent(hardwareId)}`);
  const d = body.device;
  current = d;
  $("#device-title").textContent = `Handset ${d.dashed}`;
  document.title = `Handset ${d.dashed} · teams-sip`;
  const facts = $("#device-facts");
  facts.replaceChildren();
  const code = d.code_expires_local ? `valid until ${d.code_expires_local}` : "no live code";
  for (const [label, value] of [["Hardware ID (Teams)", d.dashed], ["IPEI (decimal)", d.ipei_decimal], ["User", d.upn],
    ["Site", d.site], ["Install date", d.install_date], ["State", words(d.state)],
    ["Eligibility", [words(d.verdict), d.verdict_reason].filter(Boolean).join(": ")], ["Needs a person", d.attention], ["Verification code", code]]) {
    if (value == null || value === "") continue;
    facts.append(el("dt", label), el("dd", value));
  }
  const sheets = $("#device-worksheet");
  sheets.replaceChildren();
  if (d.site && d.install_date) sheets.append(`Worksheet for ${d.site} on ${d.install_date}: `, worksheetLinks(d.site, d.install_date, d.site_key));
  $("#force-row").hidden = !d.code_expires_local;
  $("#force").checked = false;
  const history = $("#history tbody");
  history.replaceChildren();
  for (const h of body.history) history.appendChild(row([h.at, words(h.from) || "(new)", words(h.to), h.cause]));
  const sources = $("#sources tbody");
  sources.replaceChildren();
  for (const s of body.sources || []) {
    const who = s.by_person ? `${s.source} (a person's word)` : s.source;
    sources.appendChild(row([s.at, who, words(s.said), [s.user, s.detail].filter(Boolean).join("; ")]));
  }
  $("#sources-empty").hidden = Boolean((body.sources || []).length);
}

export function wireDevices() {
  $("#device-filter").addEventListener("submit", (e) => {
    e.preventDefault();
    showDevices(false).catch((err) => say(err.message, true));
  });
  $("#more-devices").addEventListener("click", () => showDevices(true).catch((err) => say(err.message, true)));
  $("#renew").addEventListener("click", async () => {
    const force = $("#force").checked;
    const button = $("#renew");
    button.disabled = true;
    try {
      const { body } = await api(`api/devices/${current.hardware_id}/renew-code`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ force }),
      });
      await showDevice(current.hardware_id);
      const until = body.code_expires_local ? ` It is valid until ${body.code_expires_local}.` : "";
      say(body.status === "issued" ? `A new code was issued and put on the site's worksheet.${until}` : body.message);
    } catch (err) { say(err.message, true); }
    finally { button.disabled = false; }
  });
}
