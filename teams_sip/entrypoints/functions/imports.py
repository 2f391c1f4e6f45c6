"""Roster imports: `POST api/imports` (the spreadsheet as multipart form data or as the raw body) and
`GET api/imports/{import_id}` (who uploaded what, and its validation report)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import PurePath

import azure.functions as func

from teams_sip.entrypoints.functions.context import admin
from teams_sip.entrypoints.functions.http import HttpError, Upload, handler, json_response, read_upload
from teams_sip.importing.options import MB
from teams_sip.observability import request_id
from teams_sip.service.imports import RemovalsNeedConfirmation
from teams_sip.service.views import NotFoundError

log = logging.getLogger(__name__)
bp = func.Blueprint()

SPREADSHEET_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
# What browsers and curl send for CSV/XLSX files (Windows labels CSV as application/vnd.ms-excel).
SPREADSHEET_TYPES = {"text/csv", "text/plain", "text/tab-separated-values", "application/csv",
                     "application/vnd.ms-excel", "application/octet-stream", "",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "application/vnd.ms-excel.sheet.binary.macroenabled.12",
                     "application/vnd.oasis.opendocument.spreadsheet"}
_IMPORT_ID = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{10}$")


def check_spreadsheet(upload: Upload) -> None:
    """415 for anything that is neither CSV nor XLSX by name or declared type; nothing is read."""
    suffix = PurePath(upload.filename).suffix.lower()
    media = upload.content_type.split(";")[0].strip().lower()
    if suffix in SPREADSHEET_SUFFIXES and (media in SPREADSHEET_TYPES or media.startswith("multipart/")):
        return
    if not suffix and media in SPREADSHEET_TYPES - {"", "application/octet-stream"}:
        return
    raise HttpError(415, "unsupportedMediaType",
                    f"{upload.filename} ({media or 'no content type'}) is not a spreadsheet: upload .csv, .xlsx, "
                    ".xls, .xlsb or .ods")


def upload_cap(max_mb: int) -> int:
    return max_mb * MB


def _field(req: func.HttpRequest, name: str) -> str:
    """A form field of a multipart upload, or a query parameter of a raw-body upload."""
    value = req.params.get(name)
    if value is None and (req.headers.get("content-type") or "").lower().startswith("multipart/form-data"):
        value = req.form.get(name)
    return (value or "").strip()[:200]


def _allow_removals(req: func.HttpRequest) -> bool:
    """`allow_removals` (true/1/yes/on): confirms an import that drops more handsets than IMPORT_MAX_DROPS."""
    return _field(req, "allow_removals").lower() in {"true", "1", "yes", "on"}


@bp.route(route="api/imports", methods=["POST"])
@handler
def post_import(req: func.HttpRequest) -> func.HttpResponse:
    rollout, caller = admin(req)
    upload = read_upload(req, upload_cap(rollout.ports.settings.rollout.import_max_mb))
    check_spreadsheet(upload)
    try:
        outcome = rollout.import_file(upload.data, upload.filename, actor=caller.name,
                                      correlation_id=request_id.get(), allow_removals=_allow_removals(req),
                                      sheet=_field(req, "sheet") or None)
    except RemovalsNeedConfirmation as exc:
        error = {"code": "removalsNeedConfirmation", "message": str(exc), "requestId": request_id.get()}
        return json_response({"error": error, "report": exc.outcome.report()}, 409)
    summary = outcome.result.summary
    log.info("import of %s by %s: %s accepted, %s rejected", upload.filename, caller.name,
             summary.get("accepted", 0), summary.get("rejected", 0))
    report = outcome.report()
    if outcome.import_id is None:
        return json_response({"report": report}, 400)
    return json_response({"import_id": outcome.import_id, "report": report}, 202)


@bp.route(route="api/imports/{import_id}", methods=["GET"])
@handler
def get_import(req: func.HttpRequest) -> func.HttpResponse:
    rollout, _ = admin(req)
    import_id = req.route_params.get("import_id", "")
    record = rollout.roster.get_import(import_id) if _IMPORT_ID.match(import_id) else None
    if record is None:
        raise NotFoundError(f"No import {import_id[:40]!r} exists.")
    stored = rollout.ports.artifacts.get(f"imports/{record.import_id}/report.json")
    body = {k: v for k, v in record.to_dict().items() if k != "artefact"}  # where the server keeps it: not the caller's
    body["report"] = json.loads(stored) if stored else None
    return json_response(body)
