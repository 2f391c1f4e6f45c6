// "Check my tenant": runs the read-only doctor (GET api/doctor) and lists each check's verdict and remedy.
import { $, api, download, row, say } from "./common.js";

export function wireDoctor() {
  wireDoctorDownload();
  const button = $("#check-tenant");
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    say("Checking the tenant (read-only)…");
    try {
      const { body } = await api("api/doctor");
      const tbody = $("#doctor tbody");
      tbody.replaceChildren(...body.findings.map((f) =>
        row([f.probe, f.verdict, f.instead || f.why || f.reading || "", f.remedy || ""])));
      $("#doctor").hidden = false;
      $("#doctor-markdown").hidden = false;
      const v = body.summary.verdicts;
      say(`Tenant check: ${v.confirmed} confirmed, ${v.contradicted} contradicted, ` +
          `${v["not available"]} not available, ${v.skipped} skipped.`);
    } catch (err) { say(err.message, true); }
    finally { button.disabled = false; button.removeAttribute("aria-busy"); button.focus(); }
  });
}

function wireDoctorDownload() {
  $("#doctor-markdown").addEventListener("click", () => download("api/doctor?format=markdown", "teams-sip-doctor.md"));
}
