"""SQLite: one writing turn per process (rxshop/db.py: one_writer). The event loop's writing `connect()` blocks,
the payment handlers' jobs, fulfilment and webhook handling and the outbox's writes take it, so they queue for
each other instead of sleeping in SQLite's busy handler (1, 2, 5 ms steps: the event loop stalled 3–8 ms at a time
while orders were made); reads never wait."""
import asyncio
import concurrent.futures
import threading
import types
from email.message import EmailMessage

import pytest

from rxshop import carts, db as rxdb, expiry, fulfilment, orders, outbox
from rxshop.state import checkout_state


def _turn_is_taken() -> bool:
    """Whether some other thread holds the writing turn now (asked from a thread of its own)."""
    def probe():
        if rxdb._writer.acquire(blocking=False):
            rxdb._writer.release()
            return False
        return True

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(probe).result()


@pytest.fixture
def loop_db(engine, monkeypatch):
    monkeypatch.setattr(rxdb, "get_engine", lambda: engine)


def _on_a_loop(fn):
    async def run():
        try:
            return fn()
        finally:  # the connection the loop's thread kept (thread-local: closed from that thread)
            if getattr(rxdb._kept, "conn", None) is not None:
                rxdb._kept.conn.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a thread of its own (a test run may hold this one's loop)
        return pool.submit(asyncio.run, run()).result()


def test_the_event_loops_writing_blocks_take_the_turn_and_its_reads_do_not(loop_db):
    def blocks():
        with rxdb.connect() as conn:
            writing = _turn_is_taken()
            conn.exec_driver_sql("SELECT 1")
        with rxdb.connect(write=False) as conn:
            reading = _turn_is_taken()
            conn.exec_driver_sql("SELECT 1")
        return writing, reading

    assert _on_a_loop(blocks) == (True, False)
    assert not _turn_is_taken()  # given back


class _Spy:
    """The writing turn, noting when someone had to wait for it."""

    def __init__(self):
        self.lock, self.waited = threading.RLock(), threading.Event()

    def __enter__(self):
        if not self.lock.acquire(blocking=False):
            self.waited.set()
            self.lock.acquire()
        return self

    def __exit__(self, *exc):
        self.lock.release()

    def acquire(self, blocking=True):
        return self.lock.acquire(blocking)

    def release(self):
        self.lock.release()


def test_a_writing_block_on_the_loop_waits_for_an_order_thread_to_finish(loop_db, engine, monkeypatch):
    """The order thread holds the turn with its write open; the loop's cart change starts only after its commit."""
    spy = _Spy()
    monkeypatch.setattr(rxdb, "_writer", spy)
    holding, release = threading.Event(), threading.Event()
    seen = []

    def order_thread():
        with rxdb.one_writer(), engine.connect() as conn:
            conn.exec_driver_sql("INSERT INTO cart (token, created_at, updated_at) VALUES ('t', '2026-01-01', "
                                 "'2026-01-01')")
            holding.set()
            release.wait(10)
            conn.commit()
            seen.append("order committed")

    def cart_change():
        with rxdb.connect() as conn:
            seen.append("cart change")
            conn.exec_driver_sql("UPDATE cart SET updated_at = '2026-01-02'")
            conn.commit()

    worker = threading.Thread(target=order_thread)
    worker.start()
    assert holding.wait(10)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        change = pool.submit(lambda: _on_a_loop(cart_change))
        # until the change queues for the turn, or (without the turn) has already started
        for _ in range(1000):
            if spy.waited.wait(0.01) or seen:
                break
        release.set()
        change.result(10)
    worker.join(10)
    assert seen == ["order committed", "cart change"]


@pytest.mark.parametrize("job", ["_checkout_order", "_express_order", "_attach", "_begin_charge", "_end_charge",
                                 "_count_failure"])
def test_the_payment_handlers_database_work_holds_the_turn(loop_db, monkeypatch, job):
    held = []
    monkeypatch.setattr(checkout_state, "session", lambda: _Recorder(held))
    monkeypatch.setattr(checkout_state, "connect", lambda: _Recorder(held))  # _attach: one UPDATE, no session
    args = {"_checkout_order": ("tok", "usd", lambda: True),
            "_express_order": ("cart", "", 1, "payment_intent", "tok", "", "", lambda: True),
            "_attach": (object(),), "_begin_charge": (1,), "_end_charge": (1, False), "_count_failure": (1,)}[job]
    with pytest.raises(_Stop):
        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # as asyncio.to_thread runs it
            pool.submit(getattr(checkout_state, job), *args).result()
    assert held == [True]


@pytest.mark.parametrize("dialect, on_the_loop", [("sqlite", True), ("postgresql", False)])
def test_a_handlers_database_job_runs_on_the_loop_only_on_sqlite(monkeypatch, dialect, on_the_loop):
    """SQLite: the job runs on the event loop (a worker thread waited for the interpreter lock at every SQLite call,
    holding the turn meanwhile); PostgreSQL: in a worker thread (its round trips would stall the loop)."""
    engine = types.SimpleNamespace(dialect=types.SimpleNamespace(name=dialect))
    monkeypatch.setattr(rxdb, "get_engine", lambda: engine)

    async def run():
        return threading.get_ident(), await rxdb.run_job(lambda a, b=0: (threading.get_ident(), a + b), 1, b=2)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a loop of its own (a test run may hold this one's)
        loop_thread, (job_thread, result) = pool.submit(asyncio.run, run()).result()
    assert result == 3
    assert (job_thread == loop_thread) is on_the_loop


@pytest.mark.parametrize("module, job, args", [(fulfilment, "fulfil", (object(), "test")),
                                              (fulfilment, "handle_webhook", (object(),)),
                                              (expiry, "_cancel", (1,))])
def test_fulfilment_webhook_handling_and_the_expiry_sweep_hold_the_turn(loop_db, monkeypatch, module, job, args):
    """Run in worker threads (webhook route, confirmation page, express page, expiry sweep) beside the loop's writes."""
    held = []
    monkeypatch.setattr(module, "db_session" if module is fulfilment else "session", lambda: _Recorder(held))
    with pytest.raises(_Stop):
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(getattr(module, job), *args).result()
    assert held == [True]


@pytest.mark.parametrize("smtp", ["up", "down"])
def test_the_outbox_writes_in_the_turn_and_sends_outside_it(loop_db, db, products, monkeypatch, smtp):
    """Claiming a row and recording its outcome are writes beside the loop's; the SMTP conversation is not one (a
    turn held across the network would stall every writer)."""
    cart, _ = carts.add_item(db, None, products["mug"], 1)
    order = orders.create_from_cart(db, cart.token, "express", "usd", "a@example.com")
    msg = EmailMessage()
    msg["To"], msg["Subject"] = "a@example.com", "Receipt"
    msg.set_content("hello")
    outbox.enqueue(db, order.id, "receipt", msg)
    held = {}
    for name in ("claim", "_done", "_failed"):
        def noting(*args, _name=name, _real=getattr(outbox, name)):
            held[_name] = _turn_is_taken_by_me()
            return _real(*args)
        monkeypatch.setattr(outbox, name, noting)

    def send(_message):
        held["send"] = _turn_is_taken_by_me()
        if smtp == "down":
            raise OSError("connection refused")

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # as the worker's pass runs
        pool.submit(outbox.deliver_due, db, send).result()
    outcome = "_done" if smtp == "up" else "_failed"
    assert held == {"claim": True, "send": False, outcome: True}


class _Stop(Exception):
    pass


class _Recorder:
    """A session that notes whether the turn is held when the job opens it, then stops the job."""

    def __init__(self, held):
        self.held = held

    def __enter__(self):
        self.held.append(_turn_is_taken_by_me())
        raise _Stop

    def __exit__(self, *exc):
        return False


def _turn_is_taken_by_me() -> bool:
    return rxdb._writer._is_owned()  # RLock: held by this thread
