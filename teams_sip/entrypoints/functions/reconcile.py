"""The reconciliation schedule: the timer enqueues one work item per site plus one tenant-wide item
(devices no site owns, and the sign-in stage); the queue worker runs the pass for one item under
that item's lease, so a large tenant fans out across instances and two workers never share a site.
"""

from __future__ import annotations

import json
import logging
import os

import azure.functions as func

from teams_sip.entrypoints.functions.context import rollout
from teams_sip.service.rollout import TENANT_WIDE

log = logging.getLogger(__name__)
bp = func.Blueprint()

SCHEDULE_SETTING = "RECONCILE_SCHEDULE"
DEFAULT_SCHEDULE = "0 */15 * * * *"  # every 15 minutes (NCRONTAB with seconds)
WORK_QUEUE = "reconcile-work"
CONNECTION = "AzureWebJobsStorage"


def resolve_schedule(expression: str) -> str:
    """What the Functions host does with `%NAME%`: the app setting, here with our default."""
    if expression == f"%{SCHEDULE_SETTING}%":
        return os.environ.get(SCHEDULE_SETTING) or DEFAULT_SCHEDULE
    return expression


def work_items(sites: list[str]) -> list[str]:
    return [json.dumps({"site": site}) for site in [*sorted(set(sites)), TENANT_WIDE]]


@bp.timer_trigger(schedule=f"%{SCHEDULE_SETTING}%", arg_name="timer", run_on_startup=False, use_monitor=True)
@bp.queue_output(arg_name="work", queue_name=WORK_QUEUE, connection=CONNECTION)
def reconcile_timer(timer: func.TimerRequest, work: func.Out[list[str]]) -> None:
    if timer.past_due:
        log.warning("reconciliation timer is late (past due); enqueueing the work now")
    current = rollout()
    sites = [row.site for row in current.roster.current()]
    sites += [s.record.site for s in current.devices.all() if s.record.site]
    items = work_items(sites)
    work.set(items)
    log.info("reconciliation: %d work item(s) enqueued", len(items))


@bp.queue_trigger(arg_name="item", queue_name=WORK_QUEUE, connection=CONNECTION)
def reconcile_worker(item: func.QueueMessage) -> None:
    try:
        body = json.loads(item.get_body())
        site = body["site"]
        if not isinstance(site, str):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        log.error("work item %s is not {\"site\": name}; dropped", item.id)
        return
    outcome = rollout().run_pass(actor="timer", correlation_id=f"q-{item.id}"[:60], sites=[site])
    label = site or "tenant-wide"
    if not outcome.ran:
        log.info("work item %s (%s) skipped: %s", item.id, label, outcome.message)
        return
    issued = len(outcome.execution.issued) if outcome.execution else 0
    log.info("work item %s (%s): %s, %d code(s) issued", item.id, label, outcome.message, issued)
