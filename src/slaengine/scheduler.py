"""APScheduler 3 wakes the live service when something falls due, with no event to prompt it.

Theory of operation
-------------------
The store is the truth about what is due (``tickets.next_due``, ``clocks.next_due``, alerts'
``escalate_at``); the scheduler holds no state of its own worth keeping, so its job store is the
in-memory one (docs/design.md: several processes must not share a job store; one job per clock in a
SQL job store would not scale). Two jobs call the same function, ``LiveService.run_due``:

* a *date* job at the earliest due time in the store, re-armed after every pass and every
  ingestion (whenever the earliest due time may have changed); after a commit that left its
  tickets to the judge lane (``LiveService.on_stored``) it is armed for now without asking the
  store (``due_now``): those tickets are due now, so the pass runs within milliseconds;
* an *interval* sweep as a safety net: a database that was away during a pass, anything a
  missed re-arm would leave waiting.

In-process changes re-arm the date job by a signal (``LiveService.on_due_changed``), never by a
poll. Due times another process wrote (a ``consume`` or ``ingest`` process marking tickets, a
new contract version, another worker's escalations) are seen by a *look* every ``LOOK_EVERY``
(0.25 s), a thread of its own rather than a job (a job would wait behind a long pass for the
scheduler's workers, and APScheduler logs every run it then skips): it reads the earliest due
time (index lookups) and re-arms the date job if it moved,
so such work starts within a quarter of a second, not at the next sweep.

``misfire_grace_time=None`` and ``coalesce=True``: a job that fell due while the process was busy
or down runs once, however late (APScheduler's default of 1 s would drop it with a log line).
Each arming uses a fresh job id, so a date job never collides with the run that armed it.
"""

from __future__ import annotations

import itertools
import logging
import threading
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from slaengine.service.live import DueReport, LiveService

logger = logging.getLogger("slaengine.scheduler")

#: After a failed pass (the database away), the next try is no sooner than this: short, so
#: breach detection catches up within a second of the store's return.
_RETRY = timedelta(seconds=0.25)
#: Seconds between looks at the store's earliest due time (work written by other processes).
LOOK_EVERY = 0.25


class DueScheduler:
    """Runs ``service.run_due`` at the earliest due time and every ``sweep_seconds``."""

    def __init__(self, service: LiveService, sweep_seconds: float = 30.0) -> None:
        self.service = service
        self.sweep_seconds = sweep_seconds
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            jobstores={"default": {"type": "memory"}},
            executors={"default": ThreadPoolExecutor(2)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._arm_lock = threading.Lock()
        self._armed: tuple[str, datetime] | None = None
        self._ids = itertools.count(1)
        self.passes = 0
        self._failed = False
        #: Set by ``shutdown``: no pass starts, nothing is armed any more, the look ends.
        self._stop = threading.Event()
        self._looking: threading.Thread | None = None
        service.on_due_changed.append(self.rearm)
        service.on_stored.append(self.due_now)

    def start(self, paused: bool = False) -> None:
        """Start the scheduler thread (``paused``: arm jobs but run none, for tests)."""
        self.scheduler.start(paused=paused)
        self.scheduler.add_job(
            self._job, "interval", seconds=self.sweep_seconds, id="sweep", name="sweep"
        )
        if not paused:
            self._looking = threading.Thread(
                target=self._look, name="slaengine-due-look", daemon=True
            )
            self._looking.start()
        # Whatever fell due while the process was down runs now.
        self._arm_at(self.service.clock.now())

    def shutdown(self) -> None:
        """Stop: no new pass starts, the pass in hand is finished. (APScheduler's own
        ``shutdown(wait=True)`` holds its job-store lock while it waits for the running job,
        and that job re-arms when its pass ends, which needs the same lock: so nothing is
        armed once stopping, and the pass in hand is waited for through the service.)"""
        with self._arm_lock:
            self._stop.set()
        if self._looking is not None:
            self._looking.join(5)
            self._looking = None
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.service.finish_pass()

    def run_now(self) -> DueReport:
        """One pass now, then re-arm (tests that move a FixedClock call this)."""
        return self._run()

    def wakeup(self) -> None:
        """Let the scheduler thread look at its jobs again (after freezegun moved time)."""
        self.scheduler.wakeup()

    def _job(self) -> None:
        """What the jobs run: a failed pass is logged (once per outage) and re-armed by
        ``_run``, not raised into APScheduler, which would log it again at every try."""
        if self._stop.is_set():
            return
        with suppress(Exception):
            self._run()

    def _run(self) -> DueReport:
        try:
            report = self.service.run_due()
            self.passes += 1
            if self._failed:
                logger.warning("the due pass works again")
            self._failed = False
            return report
        except Exception:
            if not self._failed:  # said once per outage, not twice a second
                logger.exception(
                    "the due pass failed; trying again every %s s", _RETRY.total_seconds()
                )
            self._failed = True
            raise
        finally:
            self.rearm()

    def due_now(self) -> None:
        """Run the pass now: events were just stored whose tickets are due now. Several calls
        while a pass runs leave one pass armed (each arming replaces the one not yet run)."""
        if not self._failed:  # a failing pass keeps its retry pace (see rearm)
            self._arm_at(self.service.clock.now())

    def _look(self) -> None:
        """The look (see the module doc): re-arm from the store every ``LOOK_EVERY`` seconds,
        unless a pass is failing (it keeps its own retry pace)."""
        while not self._stop.wait(LOOK_EVERY):
            if not self._failed and not self._due_pending():
                with suppress(Exception):
                    self.rearm()

    def _due_pending(self) -> bool:
        """Is the date job armed for a time that has come, and not run yet? Then it runs at
        once and re-arms after its pass; a look must not move it later (on start, the first
        pass is armed for "now")."""
        with self._arm_lock:
            if self._armed is None:
                return False
            job_id, armed_for = self._armed
            if armed_for > self.service.clock.now():
                return False
            return self.scheduler.get_job(job_id) is not None

    def rearm(self) -> None:
        """Arm the date job at the store's earliest due time (if it changed)."""
        try:
            when = self.service.next_due()
        except Exception:
            if not self._failed:
                logger.exception("cannot read the next due time; trying again shortly")
            self._failed = True
            when = self.service.clock.now()
        if when is None:
            self._disarm()
            return
        if self._failed:  # do not spin on a pass that keeps failing
            when = max(when, self.service.clock.now() + _RETRY)
        self._arm_at(when)

    def _arm_at(self, when: datetime) -> None:
        with self._arm_lock:
            if self._stop.is_set():
                return
            if self._armed is not None:
                job_id, armed_for = self._armed
                if armed_for == when and self.scheduler.get_job(job_id) is not None:
                    return
                self._remove(job_id)
            job_id = f"due-{next(self._ids)}"
            if self.scheduler.running:
                self.scheduler.add_job(self._job, "date", run_date=when, id=job_id, name="due")
                self._armed = (job_id, when)

    def _disarm(self) -> None:
        with self._arm_lock:
            if self._stop.is_set():
                return
            if self._armed is not None:
                self._remove(self._armed[0])
                self._armed = None

    def _remove(self, job_id: str) -> None:
        with suppress(JobLookupError):  # it ran (a date job is gone once it has run)
            self.scheduler.remove_job(job_id)

    @property
    def armed_for(self) -> datetime | None:
        """When the date job will run (None: nothing is due)."""
        return self._armed[1] if self._armed is not None else None
