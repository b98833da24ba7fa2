"""A burst of users against the real NewsBot over the shipped corpus.

Run with -s to see the latency distribution and the longest event-loop stall, e.g.
    pytest -s tests/discord_app/test_bot_load.py
Timing is only asserted against the 3-second acknowledgement deadline the fake enforces.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.newsroom import Newsroom
from tests.bot_fixtures import (
    answer_embed,
    assert_never_pings,
    assert_no_generic_errors,
    newsbot_on_fake,
    percentile,
)

pytestmark = pytest.mark.slow

USERS = 50
FIRST_USER = 1_300_000_000_000_000_000
QUESTIONS = (
    "How many American troops are stationed in South Korea?",
    "How many pilgrims died in the Hajj stampede?",
    "What did Noam Chomsky say in his interview?",
    "Which countries won on day five of the 2018 World Cup?",
    "How many people died?",
    "What did the government announce?",
    "What happened in the election?",
)


class StallMonitor:
    """Sleeps 5 ms in a loop and records how late it wakes: the event loop's longest stall."""

    TICK = 0.005

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.TICK)
            self.worst = max(self.worst, loop.time() - before - self.TICK)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="stall-monitor")

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


def _summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name}: p50 {percentile(ms, 0.5):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
        f"max {max(ms):.1f} ms (n={len(ms)})"
    )


async def test_fifty_users_at_once_are_all_acknowledged_in_time_and_answered(
    shipped_room: Newsroom,
) -> None:
    # The default per-user cooldown stays on: 50 different users must not trip it.
    async with newsbot_on_fake(shipped_room, cooldown_seconds=10.0) as (fake, _):
        warm = await fake.invoke("ask", {"question": QUESTIONS[0]})  # first-use costs aside
        await warm.wait_done()
        monitor = StallMonitor()
        monitor.start()
        burst = await asyncio.gather(
            *(
                fake.invoke("ask", {"question": question}, user_id=FIRST_USER + n)
                for n, question in zip(range(USERS), itertools.cycle(QUESTIONS))
            )
        )
        await asyncio.gather(*(inter.wait_done(timeout=20.0) for inter in burst))
        await monitor.stop()

    assert fake.rejections == [], [r.reason for r in fake.rejections]
    assert all(inter.response_type == 5 and not inter.dead for inter in burst)
    acks = [inter.ack_latency for inter in burst]
    assert all(a is not None and a < fake.ack_deadline for a in acks), acks
    for inter in burst:
        assert answer_embed(inter)["description"]
    answers = [inter.followups[0].time - inter.dispatched_at for inter in burst]
    ours = [s for s in fake.sent_messages if s.interaction_id in {i.id for i in burst}]
    assert len(ours) == USERS
    assert_no_generic_errors(ours)
    assert_never_pings(ours)
    print(f"\n{USERS} simultaneous /ask over the shipped corpus:")
    print("  " + _summary("acknowledgement", [a for a in acks if a is not None]))
    print("  " + _summary("answer", answers))
    print(f"  longest event-loop stall: {monitor.worst * 1000:.1f} ms (5 ms sleeper)")
