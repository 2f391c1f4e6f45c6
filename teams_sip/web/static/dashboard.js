// Dashboard: counts per state per site (a chart drawn with plain elements, plus the same numbers as a
// table), today's install sites with their codes in site time, and the handsets that need a person.
import { $, api, el, row, say, utcText, words, worksheetLinks } from "./common.js";

// Lifecycle order; neighbouring states get clearly different colours (each passes 3:1 against white).
export const STATE_COLOURS = {
  imported: "#767676", blocked: "#c50f1f", waiting_for_policy: "#8a6d00", ready: "#8764b8",
  registered: "#4a6fb5", code_issued: "#00727d", code_expired: "#c04f00", activated: "#3b7d23",
  signed_in: "#0b5a0b", stale: "#5c2e91", removed_from_roster: "#6b5d4f", unknown_in_teams: "#b4007a",
};
const STATES = Object.keys(STATE_COLOURS);

function deviceLink(d) {
  return el("a", d.dashed || d.hardware_id, { href: `#/device/${d.hardware_id}` });
}

function drawChart(sites) {
  const chart = $("#chart");
  chart.replaceChildren();
  const totals = sites.map((s) => Object.values(s.counts).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  sites.forEach((site, i) => {
    const line = el("div", null, { class: "chart-row" });
    line.appendChild(el("span", site.site, { class: "chart-label" }));
    const bar = el("div", null, { class: "bar" });
    for (const state of STATES) {
      const n = site.counts[state] || 0;
      if (!n) continue;
      const seg = el("span", null, { title: `${words(state)}: ${n}` });
      seg.style.width = `${(100 * n) / max}%`;
      seg.style.background = STATE_COLOURS[state];
      if (n / max >= 0.06) seg.textContent = String(n);
      bar.appendChild(seg);
    }
    line.appendChild(bar);
    line.appendChild(el("span", totals[i], { class: "chart-total" }));
    chart.appendChild(line);
  });
  const present = STATES.filter((s) => sites.some((site) => site.counts[s]));
  const legend = $("#legend");
  legend.replaceChildren();
  for (const state of present) {
    const item = el("span", words(state));
    const swatch = el("i");
    swatch.style.background = STATE_COLOURS[state];
    item.prepend(swatch);
    legend.appendChild(item);
  }
  // The table carries the chart's numbers for screen readers and for reading exact values.
  const table = $("#counts");
  const head = el("tr");
  head.appendChild(el("th", "Site", { scope: "col" }));
  for (const state of present) head.appendChild(el("th", words(state), { scope: "col" }));
  head.appendChild(el("th", "Total", { scope: "col" }));
  $("thead", table).replaceChildren(head);
  const body = $("tbody", table);
  body.replaceChildren();
  sites.forEach((site, i) => {
    const tr = row([...present.map((s) => site.counts[s] || 0), totals[i]]);
    tr.prepend(el("th", site.site, { scope: "row" }));
    body.appendChild(tr);
  });
  $("#counts-details").hidden = !sites.length;
  $("#chart-empty").hidden = !!sites.length;
  chart.setAttribute("aria-label", sites.length ? "Handsets per site by state: " + sites.map((site) =>
    `${site.site}: ${Object.entries(site.counts).map(([k, v]) => `${v} ${words(k)}`).join(", ")}`).join("; ") : "No handsets yet");
}

async function drawToday(today) {
  const sitesBody = $("#today tbody");
  sitesBody.replaceChildren();
  for (const t of today) {
    const codes = `${t.codes_live} of ${t.devices} live`;
    sitesBody.appendChild(row([t.site, t.install_date, t.devices, codes, t.next_expiry_local || "no live code",
      worksheetLinks(t.site, t.install_date, t.site_key)]));
  }
  $("#today").hidden = !today.length;
  $("#today-empty").hidden = !!today.length;
  const devicesBody = $("#today-devices tbody");
  const pages = await Promise.all(today.map((t) => api(`api/devices?${new URLSearchParams(
    { site: t.site, install_date: t.install_date, limit: "500" })}`)));
  devicesBody.replaceChildren();
  for (const { body } of pages) {
    for (const d of body.devices) {
      const status = d.code_expires_local ? `valid until ${d.code_expires_local}` : "no live code";
      devicesBody.appendChild(row([deviceLink(d), d.upn, d.site, words(d.state), status]));
    }
  }
  $("#today-devices").hidden = !devicesBody.children.length;
}

/** Draws the summary (`GET api/summary`, fetched by the router, which owns what each view loads). */
export async function showDashboard(body) {
  $("#clock").textContent = `Service time: ${utcText(body.now)}`;
  drawChart(body.sites);
  const inventory = (body.inventory || {}).line || "";
  $("#inventory-line").textContent = inventory;
  $("#inventory-line").hidden = !inventory;
  const attention = $("#attention tbody");
  attention.replaceChildren();
  for (const d of body.attention) attention.appendChild(row([deviceLink(d), d.upn, d.site, words(d.state), d.reason]));
  $("#attention").hidden = !body.attention.length;
  $("#attention-empty").hidden = !!body.attention.length;
  await drawToday(body.today);
}

export function wireDashboard(reload) {
  const button = $("#run-pass");
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    say("Running a reconciliation pass…");
    try {
      // Users whose installs are not near are only re-checked on request (after fixing licences or numbers).
      const checkAllUsers = $("#check-all").checked;
      // A new configuration snapshot is otherwise taken at most once a day (policies judged from it).
      const refreshPolicies = $("#refresh-policies").checked;
      const { body } = await api("api/run", {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ checkAllUsers, refreshPolicies }),
      });
      $("#check-all").checked = false;
      $("#refresh-policies").checked = false;
      await reload();
      say(body.summary || "Pass complete.");
    } catch (err) { say(err.message, true); }
    finally { button.disabled = false; button.removeAttribute("aria-busy"); button.focus(); }
  });
}
