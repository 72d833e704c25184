"""APScheduler 3 wakes the live service when something falls due, with no event to prompt it.

Theory of operation
-------------------
The store is the truth about what is due (``tickets.next_due``, ``clocks.next_due``, alerts'
``escalate_at``); the scheduler holds no state of its own worth keeping, so its job store is the
in-memory one (docs/design.md: several processes must not share a job store; one job per clock in a
SQL job store would not scale).

**One pass armed at a time.** The due pass (``LiveService.run_due``) runs as *one* date job of a
fixed id, ``due``, at the earliest due time in the store. Re-arming *moves* that job
(``reschedule_job``); it never adds a second one. When the job fires, APScheduler takes it out of
its job store and hands it to its thread pool; from then until APScheduler has released it (its
``EVENT_JOB_EXECUTED`` listener, ``_released``) the scheduler is *busy*: an arming asked for
meanwhile (a commit's wake-up, a look, a sweep) adds no job, it only notes the earliest time asked
for. Once released, the store's earliest due time is read afresh and the job is armed again at
the earlier of that and what was asked for. So however many events arrive, a process holds at
most one pass running and one waiting — the pass after a burst reads everything the burst stored
— and a process with nothing due has one job armed at the next deadline and runs nothing until
then. (An arming made while the fired job is still counted by APScheduler would be skipped as
"maximum number of running instances reached"; arming only after the release cannot be.)

What asks for a pass:

* the end of every pass and every ingestion (``LiveService.on_due_changed`` → ``rearm``: the
  store's earliest due time, which may have moved either way);
* a commit that left its tickets to the judge lane (``LiveService.on_stored`` → ``due_now``; on
  PostgreSQL also another process's commit, heard through LISTEN, slaengine.store.wakeups): those
  tickets are due now, armed without asking the store;
* a *look* after every commit to the store, which the store's watch notices within
  ``LOOK_EVERY`` (0.25 s) without reading the store (slaengine.store.watch: SQLite's
  ``data_version``, PostgreSQL's transaction snapshot): due times another process wrote (a
  ``consume`` or ``ingest`` process marking tickets, ``slaengine rejudge``, a new contract
  version, another worker's escalations). It reads the earliest due time (index lookups) and
  moves the job if it moved; it runs no pass. While nobody commits there is no look: an idle
  process reads nothing;
* an *interval* sweep every ``sweep_seconds`` as a safety net (anything a missed re-arm would
  leave waiting): it asks for a pass now, through the same one job.

A read of the store that was overtaken by a ``due_now`` (a commit after the read) never moves the
job later than that ``due_now`` asked (``_asked`` counts them).

``misfire_grace_time=None`` and ``coalesce=True``: a job that fell due while the process was busy
or down runs once, however late (APScheduler's default of 1 s would drop it with a log line).
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from slaengine.service.live import DueReport, LiveService
from slaengine.store.watch import EVERY as WATCH_EVERY

logger = logging.getLogger("slaengine.scheduler")

#: After a failed pass (the database away), the next try is no sooner than this: short, so
#: breach detection catches up within a second of the store's return.
_RETRY = timedelta(seconds=0.25)
#: The longest a commit by another process waits before the look at the store's earliest due
#: time (the store watch's interval between two asks; slaengine.store.watch).
LOOK_EVERY = WATCH_EVERY
#: A pass that found something due but could claim none of it (another worker holds those rows,
#: PostgreSQL's SKIP LOCKED) is not repeated sooner than this for the store's due time alone:
#: the other worker is judging them. A wake-up that came during the pass still runs at once.
_HELD_ELSEWHERE = timedelta(seconds=0.1)
#: The id of the one date job that runs the due pass.
DUE_JOB = "due"


class DueScheduler:
    """Runs ``service.run_due`` at the earliest due time (one job, moved as that time moves)."""

    def __init__(self, service: LiveService, sweep_seconds: float = 30.0) -> None:
        self.service = service
        self.sweep_seconds = sweep_seconds
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            jobstores={"default": {"type": "memory"}},
            executors={"default": ThreadPoolExecutor(2)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self.scheduler.add_listener(self._released, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self._arm_lock = threading.Lock()
        #: When the ``due`` job is armed for, while it waits in APScheduler's job store.
        self._armed: datetime | None = None
        #: The ``due`` job fired and APScheduler has not released it yet (see the module doc).
        self._busy = False
        #: The earliest pass asked for while busy (armed once released).
        self._wanted: datetime | None = None
        #: ``due_now`` calls so far: a store read they overtook does not move the job later.
        self._asked = 0
        #: Due passes run by this scheduler (tests and benchmarks count them).
        self.passes = 0
        #: The last pass did nothing (no ticket, escalation or duty): see ``_HELD_ELSEWHERE``.
        self._idle_pass = False
        #: ``_asked`` when the pass in hand began (did a wake-up come during it?).
        self._asked_before_pass = 0
        #: After a pass that did nothing: no store read arms the next one sooner than this (a
        #: wake-up, ``due_now``, still does).
        self._held_until: datetime | None = None
        self._failed = False
        #: Set by ``shutdown``: no pass starts, nothing is armed any more, the look ends.
        self._stop = threading.Event()
        self._watching = False
        #: Looks at the store's earliest due time made after a commit the watch noticed (tests
        #: and benchmarks count them: an idle process makes none).
        self.looks = 0
        service.on_due_changed.append(self.rearm)
        service.on_stored.append(self.due_now)

    def start(self, paused: bool = False) -> None:
        """Start the scheduler thread (``paused``: arm jobs but run none, for tests)."""
        self.scheduler.start(paused=paused)
        self.scheduler.add_job(
            self.due_now, "interval", seconds=self.sweep_seconds, id="sweep", name="sweep"
        )
        if not paused:
            self.service.store.watch.subscribe(self._look)
            self._watching = True
        # Whatever fell due while the process was down runs now.
        self._arm_at(self.service.clock.now())

    def shutdown(self) -> None:
        """Stop: no new pass starts, the pass in hand is finished. (APScheduler's own
        ``shutdown(wait=True)`` holds its job-store lock while it waits for the running job,
        and that job's release re-arms, which needs the same lock: so nothing is armed once
        stopping, and the pass in hand is waited for through the service.)"""
        with self._arm_lock:
            self._stop.set()
        if self._watching:
            self.service.store.watch.unsubscribe(self._look)
            self._watching = False
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.service.finish_pass()

    def run_now(self) -> DueReport:
        """One pass now, then re-arm (tests that move a FixedClock call this)."""
        try:
            return self._run()
        finally:
            self.rearm()

    def wakeup(self) -> None:
        """Let the scheduler thread look at its jobs again (after freezegun moved time)."""
        self.scheduler.wakeup()

    def _job(self) -> None:
        """The ``due`` job: one pass. A failed pass is logged (once per outage) by ``_run``,
        not raised into APScheduler, which would log it again at every try; the next pass is
        armed by ``_released``."""
        with self._arm_lock:
            self._busy = True  # (``_arm_at`` may have seen it first)
            self._armed = None
            self._asked_before_pass = self._asked
        if self._stop.is_set():
            return
        self._idle_pass = False
        with suppress(Exception):
            report = self._run()
            self._idle_pass = not (report.tickets or report.escalations or report.extra)

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

    def _released(self, event: JobExecutionEvent) -> None:
        """APScheduler released the ``due`` job (it ran): arm the next pass, at the store's
        earliest due time or what was asked for meanwhile, whichever is earlier. A pass that did
        nothing although the store says something is due (rows another worker holds) is not
        repeated for that alone sooner than ``_HELD_ELSEWHERE``."""
        if event.job_id != DUE_JOB or self._stop.is_set():
            return
        idle = self._idle_pass and self.service.store.is_postgres
        with self._arm_lock:
            self._held_until = self.service.clock.now() + _HELD_ELSEWHERE if idle else None
            if not idle:
                self._wanted = None  # what was asked before this point, the read below sees
        when = self._next_due()
        with self._arm_lock:
            if when is not None and self._held_until is not None:
                when = max(when, self._held_until)
            self._busy = False
            wanted, self._wanted = self._wanted, None
            if idle and self._asked == self._asked_before_pass:
                wanted = None  # only looks noted a time meanwhile: the store's, read above
            if wanted is not None:
                when = wanted if when is None else min(when, wanted)
            if when is not None:
                self._arm_locked(when)

    def due_now(self) -> None:
        """Run the pass now: events were just stored whose tickets are due now (also the sweep).
        However often it is called, one pass is armed (see the module doc)."""
        if not self._failed:  # a failing pass keeps its retry pace (see rearm)
            with self._arm_lock:
                self._asked += 1
            self._arm_at(self.service.clock.now())

    def _look(self) -> None:
        """The look (see the module doc), called by the store's watch after a commit: re-arm
        from the store, unless stopping or a pass is failing (it keeps its own retry pace)."""
        if self._stop.is_set() or self._failed:
            return
        self.looks += 1
        with suppress(Exception):
            self.rearm(look=True)

    def rearm(self, look: bool = False) -> None:
        """Arm the ``due`` job at the store's earliest due time (if it changed). A ``look``
        leaves a job whose time has come where it is: it runs at once and re-arms after its pass
        (on start, the first pass is armed for "now" whatever the store says)."""
        with self._arm_lock:
            asked = self._asked
            armed = self._armed
        if look and armed is not None and armed <= self.service.clock.now():
            return
        when = self._next_due()
        if when is None:
            self._disarm(asked)
        else:
            self._arm_at(when, asked)

    def _next_due(self) -> datetime | None:
        """The store's earliest due time (``_RETRY`` on while passes fail)."""
        try:
            when = self.service.next_due()
        except Exception:
            if not self._failed:
                logger.exception("cannot read the next due time; trying again shortly")
            self._failed = True
            when = self.service.clock.now()
        if when is not None and self._failed:  # do not spin on a pass that keeps failing
            when = max(when, self.service.clock.now() + _RETRY)
        return when

    def _arm_at(self, when: datetime, asked: int | None = None) -> None:
        """Move the ``due`` job to ``when`` (add it if none waits); while busy, note it for
        ``_released``. ``asked``: the ``due_now`` count when ``when`` was read from the store;
        if one came since, the job is not moved later."""
        with self._arm_lock:
            if asked is not None:  # a time read from the store
                if asked != self._asked:
                    current = self._wanted if self._busy else self._armed
                    if current is not None and current < when:
                        return  # a commit after the read asked for earlier
                if self._held_until is not None:
                    when = max(when, self._held_until)
            self._arm_locked(when)

    def _arm_locked(self, when: datetime) -> None:
        if self._stop.is_set() or not self.scheduler.running:
            return
        if self._armed is not None:
            if self._armed == when:
                return
            try:
                self.scheduler.reschedule_job(DUE_JOB, trigger="date", run_date=when)
                self._armed = when
                return
            except JobLookupError:  # it fired meanwhile: busy until released
                self._armed = None
                self._busy = True
        if self._busy:
            if self._wanted is None or when < self._wanted:
                self._wanted = when
            return
        self.scheduler.add_job(self._job, "date", run_date=when, id=DUE_JOB, name="due")
        self._armed = when

    def _disarm(self, asked: int) -> None:
        """Nothing is due: withdraw the waiting job (unless a ``due_now`` came since the read
        that found nothing)."""
        with self._arm_lock:
            if self._stop.is_set() or self._armed is None or asked != self._asked:
                return
            try:
                self.scheduler.remove_job(DUE_JOB)
            except JobLookupError:  # it fired meanwhile: busy until released
                self._busy = True
            self._armed = None

    @property
    def armed_for(self) -> datetime | None:
        """When the next pass will run (None: nothing is due)."""
        with self._arm_lock:
            return self._wanted if self._busy else self._armed
