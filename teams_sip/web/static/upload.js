// Roster upload: file picker or drag-and-drop, progress while it uploads, then the validation report,
// filterable, with the rejected rows as a CSV the admin can fix and upload again.
import { $, el, row, saveBlob, say, uploadFile } from "./common.js";

let report = null;
let original = null; // the uploaded CSV's records, so the rejected rows keep every original cell

/** RFC 4180 records (quoted fields may hold delimiters, quotes and line breaks). */
export function parseCsv(textIn, delimiter) {
  const records = [];
  let record = [], field = "", quoted = false;
  const text = textIn.replace(/^\uFEFF/, "");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) { record.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field); records.push(record); record = []; field = "";
    } else field += c;
  }
  if (field !== "" || record.length) { record.push(field); records.push(record); }
  return records;
}

function decoderFor(encoding) {
  const name = String(encoding || "utf-8").toLowerCase().replace(/^cp(\d+)$/, "windows-$1").replace("-sig", "");
  try { return new TextDecoder(name); } catch (_) { return new TextDecoder("utf-8"); }
}

const quote = (v) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
// Any cell (ours, or the admin's own copied back) could start with = + - @ and be run as a formula by a
// spreadsheet program when the admin opens the file: this file is for people, so every cell is neutralised.
const inert = (v) => (/^[=+\-@\t\r]/.test(String(v)) ? `'${v}` : String(v));

function problems(r) {
  return r.errors.map((e) => `${e.column}: ${e.message}`).join("; ");
}

/** With the original CSV: its header and rejected rows, plus the row number and the problem to fix. */
export function rejectedCsv() {
  const rejected = report.rows.filter((r) => r.status === "rejected");
  const wanted = Object.values(report.file.columns || {}).filter(Boolean).map((c) => c.trim());
  const headerAt = original ? original.findIndex((rec) => wanted.every((c) => rec.map((x) => x.trim()).includes(c))) : -1;
  const lines = [];
  if (headerAt >= 0) {
    lines.push([...original[headerAt], "Original row", "Problem to fix"].map((c) => quote(inert(c))).join(","));
    for (const r of rejected) {
      const cells = original[r.row - 1] || [];
      lines.push([...cells.map((c) => quote(inert(c))), r.row, quote(inert(problems(r)))].join(","));
    }
  } else {
    lines.push(["Original row", "Column", "Problem to fix"].join(","));
    for (const r of rejected) for (const e of r.errors) lines.push([r.row, quote(inert(e.column)), quote(inert(e.message))].join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function matches(r, filter, search) {
  if (filter === "rejected" && r.status !== "rejected") return false;
  if (filter === "accepted" && r.status !== "accepted") return false;
  if (filter === "warnings" && !r.warnings.length) return false;
  if (!search) return true;
  const hay = [r.row, r.hardware_id, ...r.errors.flatMap((e) => [e.column, e.message]),
    ...r.warnings.flatMap((w) => [w.column, w.message])].join(" ").toLowerCase();
  return hay.includes(search);
}

function renderRows() {
  const filter = $("#row-filter").value;
  const search = $("#row-search").value.trim().toLowerCase();
  const tbody = $("#rows tbody");
  tbody.replaceChildren();
  let shown = 0;
  for (const r of report.rows) {
    if (!matches(r, filter, search)) continue;
    shown++;
    const issues = [...r.errors.map((e) => ["Error", e]), ...r.warnings.map((w) => ["Warning", w])];
    if (!issues.length) issues.push(["", { column: "", message: "" }]);
    for (const [kind, issue] of issues) {
      const status = el("span", r.status, { class: `status-${r.status}` });
      const reason = kind ? el("span", null) : "";
      if (kind) reason.append(el("strong", `${kind}: `), issue.message);
      tbody.appendChild(row([r.row, status, r.hardware_id || "", issue.column, reason]));
    }
  }
  $("#row-count").textContent = `Showing ${shown} of ${report.rows.length} rows.`;
}

/** The handsets the file keeps from the roster despite a rejected row, and those it drops. */
export function changeLines(changes) {
  if (!changes) return [];
  const who = (r) => `${r.hardware_id} (${r.upn}, ${r.site})`;
  return [...(changes.kept || []).map((r) => `Kept: ${who(r)} keeps its previous row (row ${r.row} was rejected).`),
    ...(changes.dropped || []).map((r) => `Dropped: ${who(r)} is in the roster but not in this file.`)];
}

function showReport(status, body, fileName) {
  $("#report-changes").replaceChildren(...changeLines(body.report && body.report.roster_changes).map((t) => el("li", t)));
  if (status === 409 && body.report) {
    report = body.report;
    $("#report").hidden = false;
    renderRows();
    say(`${body.error.message}`, true);
    return;
  }
  if (!body.report) {
    $("#report").hidden = true;
    say(body.error ? body.error.message : `The upload was refused (HTTP ${status}).`, true);
    return;
  }
  report = body.report;
  const s = report.summary;
  const facts = $("#report-summary");
  facts.replaceChildren();
  for (const [label, value] of [["File", fileName], ["Rows read", s.rows], ["Accepted", s.accepted || 0],
    ["Rejected", s.rejected || 0], ["With warnings", s.with_warnings || 0], ["Handsets", s.devices || 0],
    ["Duplicates counted once", s.duplicates || 0]]) facts.append(el("dt", label), el("dd", value));
  $("#report-notes").textContent = (report.file.notes || []).join(" ");
  $("#download-rejected").disabled = !s.rejected;
  $("#report").hidden = false;
  $("#row-filter").value = "all";
  $("#row-search").value = "";
  renderRows();
  if (status === 202) say(`Roster imported: ${s.accepted || 0} rows accepted, ${s.rejected || 0} rejected.`, false);
  else say("Nothing was imported: every row was rejected. Fix them and upload again.", true);
}

async function send(file) {
  if (!file) return;
  const name = file.name;
  if (!/\.(csv|txt|tsv|xlsx|xlsm|xls|xlsb|ods)$/i.test(name)) { say(`${name} is not a spreadsheet: choose a .csv, .xlsx, .xls, .xlsb or .ods file.`, true); return; }
  say(`Uploading ${name}…`);
  original = null;
  try {
    const params = new URLSearchParams({ filename: name });
    if ($("#allow-removals").checked) params.set("allow_removals", "true");
    if ($("#roster-sheet").value.trim()) params.set("sheet", $("#roster-sheet").value.trim());
    const { status, body } = await uploadFile(file, `api/imports?${params}`, "#upload-progress");
    if (body.report && body.report.file && body.report.file.format === "csv") {
      const delimiter = body.report.file.delimiter || ",";
      original = parseCsv(decoderFor(body.report.file.encoding).decode(await file.arrayBuffer()), delimiter);
    }
    showReport(status, body, name);
  } catch (err) { say(err.message, true); }
  finally { $("#roster-file").value = ""; }
}

export function wireUpload() {
  const drop = $("#drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); send(e.dataTransfer.files[0]); });
  $("#roster-file").addEventListener("change", (e) => send(e.target.files[0]));
  $("#row-filter").addEventListener("change", renderRows);
  $("#row-search").addEventListener("input", renderRows);
  $("#download-rejected").addEventListener("click", () => {
    saveBlob(new Blob([rejectedCsv()], { type: "text/csv" }), "rejected-rows.csv");
    say("Downloaded rejected-rows.csv: fix the rows and upload it again.");
  });
}
