"""The core conversation aggregates of Kefu's metric engine, computed by DuckDB from Parquet.

Per agent, shop and shop-local day, from the raw messages and conversations exported by
``bench/kefu_steps.py export``:

- received: conversations (with a customer message) in which the agent sent a human
  reply, on the day of the conversation's first customer message;
- bursts / offhours: customer-message runs not interrupted by a human reply, in and out
  of the shop's service hours, on the day the burst started;
- answered, response_sum: in-hours bursts closed by a human reply, and the sum of their
  response times (mean response time = response_sum / answered).

The definitions are those of ``kefu/metrics/facts.py`` (a burst is answered by the first
human reply after it and attributed to its author; an unanswered last burst goes to the
assigned agent, else to the author of the previous human reply), rewritten as SQL.

    .venv/bin/python bench/duckdb_core.py DIR [--compare]   # DIR holds the Parquet files
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb

CORE_SQL = """
WITH shops AS (SELECT * FROM read_parquet('{dir}/shops.parquet')),
conversations AS (SELECT * FROM read_parquet('{dir}/conversations.parquet')),
-- Only customer messages and human replies shape bursts (bots, system, auto-replies do not).
events AS (
    SELECT conversation_id, sent_at, ext_id, agent_id, sender = 'customer' AS is_customer
    FROM read_parquet('{dir}/messages.parquet')
    WHERE sender = 'customer' OR (sender = 'agent' AND NOT is_auto)
),
flagged AS (
    SELECT *,
           is_customer AND NOT coalesce(lag(is_customer) OVER w, false) AS opens,
           NOT is_customer AND coalesce(lag(is_customer) OVER w, false) AS closes
    FROM events
    WINDOW w AS (PARTITION BY conversation_id ORDER BY sent_at, ext_id)
),
numbered AS (
    SELECT *, sum(opens::INT) OVER (PARTITION BY conversation_id ORDER BY sent_at, ext_id
                                    ROWS UNBOUNDED PRECEDING) AS burst
    FROM flagged
),
starts AS (SELECT conversation_id, burst, sent_at AS start FROM numbered WHERE opens),
closers AS (SELECT conversation_id, burst, sent_at AS replied_at, agent_id FROM numbered WHERE closes),
last_reply AS (
    SELECT conversation_id, agent_id FROM numbered WHERE NOT is_customer
    QUALIFY row_number() OVER (PARTITION BY conversation_id ORDER BY sent_at DESC, ext_id DESC) = 1
),
bursts AS (
    SELECT c.shop_id,
           CAST(timezone(s.tz, b.start) AS DATE) AS day,
           CASE WHEN r.replied_at IS NOT NULL THEN r.agent_id
                ELSE coalesce(c.assigned_agent_id, l.agent_id) END AS agent_id,
           epoch(r.replied_at) - epoch(b.start) AS response,
           epoch(timezone(s.tz, b.start)) - epoch(CAST(CAST(timezone(s.tz, b.start) AS DATE) AS TIMESTAMP))
               AS second_of_day,
           s.hours_start * 60 AS open_at, s.hours_end * 60 AS close_at
    FROM starts b
    JOIN conversations c ON c.id = b.conversation_id
    JOIN shops s ON s.id = c.shop_id
    LEFT JOIN closers r USING (conversation_id, burst)
    LEFT JOIN last_reply l ON l.conversation_id = b.conversation_id
),
timed AS (
    SELECT *, CASE WHEN open_at = close_at THEN true
                   WHEN open_at < close_at THEN second_of_day >= open_at AND second_of_day < close_at
                   ELSE second_of_day >= open_at OR second_of_day < close_at END AS in_hours
    FROM bursts
),
burst_agg AS (
    SELECT shop_id, day, agent_id,
           count(*) FILTER (WHERE in_hours) AS bursts,
           count(*) FILTER (WHERE NOT in_hours) AS offhours,
           count(*) FILTER (WHERE in_hours AND response IS NOT NULL) AS answered,
           coalesce(sum(response) FILTER (WHERE in_hours AND response IS NOT NULL), 0) AS response_sum
    FROM timed GROUP BY ALL
),
conversation_start AS (
    SELECT e.conversation_id, CAST(timezone(s.tz, min(e.sent_at)) AS DATE) AS day, any_value(c.shop_id) AS shop_id
    FROM events e JOIN conversations c ON c.id = e.conversation_id JOIN shops s ON s.id = c.shop_id
    WHERE e.is_customer GROUP BY e.conversation_id, s.tz
),
received AS (
    SELECT cs.shop_id, cs.day, e.agent_id, count(DISTINCT e.conversation_id) AS received
    FROM events e JOIN conversation_start cs USING (conversation_id)
    WHERE NOT e.is_customer AND e.agent_id IS NOT NULL
    GROUP BY ALL
)
SELECT shop_id, day, agent_id,
       coalesce(received, 0) AS received, coalesce(bursts, 0) AS bursts, coalesce(offhours, 0) AS offhours,
       coalesce(answered, 0) AS answered, coalesce(response_sum, 0) AS response_sum
FROM burst_agg FULL OUTER JOIN received USING (shop_id, day, agent_id)
"""


def core_compute(con, directory: Path) -> float:
    """(Re)build table ``duck`` with the aggregates; returns the seconds it took."""
    start = time.perf_counter()
    con.execute("CREATE OR REPLACE TABLE duck AS " + CORE_SQL.format(dir=directory))
    return time.perf_counter() - start


def core_compare(con, directory: Path) -> dict:
    """Every (shop, day, agent) group of DuckDB against Kefu's facts (``kefu_agent_day.parquet``)."""
    con.execute(f"CREATE OR REPLACE VIEW kefu AS SELECT * FROM read_parquet('{directory}/kefu_agent_day.parquet')")
    columns = ("received", "bursts", "offhours", "answered")
    differ = " OR ".join(f"coalesce(d.{c}, -1) <> coalesce(k.{c}, -1)" for c in columns)
    differ += (" OR abs(coalesce(d.response_sum, -1) - coalesce(k.response_sum, -1))"
               " > 1e-6 * greatest(1, abs(k.response_sum))")
    rows = con.execute(f"""
        SELECT coalesce(d.shop_id, k.shop_id) AS shop, coalesce(d.day, k.day) AS day_,
               coalesce(d.agent_id, k.agent_id) AS agent,
               {", ".join(f"d.{c} AS duck_{c}, k.{c} AS kefu_{c}" for c in columns)},
               d.response_sum AS duck_response_sum, k.response_sum AS kefu_response_sum
        FROM duck d FULL OUTER JOIN kefu k
          ON d.shop_id = k.shop_id AND d.day = k.day AND d.agent_id IS NOT DISTINCT FROM k.agent_id
        WHERE {differ}
        ORDER BY shop, day_, agent NULLS FIRST
    """).fetchall()
    totals = con.execute("""
        SELECT count(*), sum(received), sum(bursts), sum(offhours), sum(answered), sum(response_sum) FROM duck
    """).fetchone()
    kefu_totals = con.execute("""
        SELECT count(*), sum(received), sum(bursts), sum(offhours), sum(answered), sum(response_sum) FROM kefu
    """).fetchone()
    names = ("groups", "received", "bursts", "offhours", "answered", "response_sum")
    return {
        "groups_differing": len(rows),
        "examples": [list(map(str, row)) for row in rows[:10]],
        "duckdb": dict(zip(names, totals)),
        "kefu": dict(zip(names, kefu_totals)),
    }


def duckdb_run(directory: Path, *, repeat: int = 3, compare: bool = True) -> dict:
    con = duckdb.connect()
    times = [core_compute(con, directory) for _ in range(repeat)]
    result = {
        "seconds": times,
        "median": statistics.median(times),
        "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "version": duckdb.__version__,
        "groups": con.execute("SELECT count(*) FROM duck").fetchone()[0],
    }
    if compare:
        result["compare"] = core_compare(con, directory)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="compare with kefu_agent_day.parquet")
    args = parser.parse_args()
    print(duckdb_run(args.dir.resolve(), repeat=args.repeat, compare=args.compare), file=sys.stdout)
