// Files an admin brings back from Teams: the code export and the SIP device list (assisted mode), and the
// bulk sign-in results.
import { $, el, say, uploadFile } from "./common.js";

function codeLines(body) {
  const s = body.summary || {};
  const lines = [`${s.settled || 0} code(s) matched to handsets and put on worksheets, ${s.rejected || 0} row(s) not used.`];
  for (const r of body.rows || []) if (r.status !== "settled") lines.push(`Row ${r.row}: ${r.message}`);
  return lines;
}

function inventoryLines(body) {
  const s = body.summary || {};
  const lines = [`${s.accepted || 0} handset(s) taken as evidence for the next pass, ${s.ignored || 0} row(s) about ` +
    `devices not tracked or not signed in yet, ${s.rejected || 0} row(s) not used.`];
  for (const r of body.rows || []) lines.push(`Row ${r.row} (${r.column}): ${r.message}`);
  return lines;
}

function show(lines) {
  const list = $("#action-result");
  list.replaceChildren(...lines.map((line) => el("li", line)));
}

function wireOne(inputSel, buttonSel, path, describe) {
  $(buttonSel).addEventListener("click", async () => {
    const file = $(inputSel).files[0];
    if (!file) { say("Choose a file first.", true); $(inputSel).focus(); return; }
    say(`Uploading ${file.name}…`);
    try {
      const { status, body } = await uploadFile(file, `${path}?filename=${encodeURIComponent(file.name)}`, "#action-progress");
      if (body.error) { show([]); say(body.error.message, true); return; }
      show(describe(body));
      say(status < 300 ? `${file.name} was processed.` : `${file.name} was not used: see the rows below.`, status >= 300);
    } catch (err) { say(err.message, true); }
  });
}

export function wireActions() {
  wireOne("#codes-file", "#upload-codes", "api/codes", codeLines);
  wireOne("#signin-file", "#upload-signin", "api/signin-results", (body) => body.lines || []);
  wireOne("#inventory-file", "#upload-inventory", "api/inventory", inventoryLines);
}
