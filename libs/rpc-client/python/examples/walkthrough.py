"""The suite from Python, end to end: login, heartbeat, a document analysis followed to its end,
the events it sent, and a replay of the events a reconnecting client missed.

Needs a gateway with UNIFIED_REGISTRY_ENABLED=true (for TASK.*) and a task-worker serving the
``computation`` queue, as ``npm start`` runs them:

    SUITE_RPC_URL=http://127.0.0.1:8080 LISTENERS_SERVICE_TOKEN=<token> \\
        python3 libs/rpc-client/python/examples/walkthrough.py
"""

from __future__ import annotations

import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from suite_rpc import RpcError, rpc_call  # noqa: E402 (the client sits one folder up)

DOCUMENT = (
    "ACME Corp. billed $1,200 on 12 March 2024. Payment is due in 30 days. "
    "Contact billing@acme.example with questions about the invoice."
)


def main() -> int:
    user_id = f"demo-{uuid.uuid4().hex[:8]}"
    session_id = f"session-{uuid.uuid4().hex[:8]}"

    # Login: the user's record and presence (online while a heartbeat comes within 90 s).
    user = rpc_call("REGISTRY.register_user", [user_id, session_id, "/app"], user_id=user_id)
    print(f"logged in: {user['user_id']} (session {user['session_id']})")
    beat = rpc_call("REGISTRY.heartbeat", [user_id, session_id], user_id=user_id)
    online = rpc_call("REGISTRY.is_online", [user_id], user_id=user_id)
    print(f"heartbeat: success={beat['success']} online={online}")

    # A background task: queued at once, run by a task-worker, followed to its end.
    job_id = f"walkthrough-{uuid.uuid4().hex[:8]}"
    started = rpc_call(
        "TASK.start_document_analysis",
        kwargs={"user_id": user_id, "document_data": {"content": DOCUMENT}, "job_id": job_id},
        user_id=user_id,
    )
    task_id = started["task_id"]
    print(f"task started: {task_id} ({started['status']})")
    deadline = time.monotonic() + 120
    while True:
        status = rpc_call("TASK.get_task_status", [task_id], user_id=user_id, auto_idempotency=False)
        if status["status"] in ("completed", "failed", "cancelled"):
            break
        if time.monotonic() > deadline:
            print(f"task still {status['status']} after 120 s", file=sys.stderr)
            return 1
        time.sleep(0.2)
    print(f"task {status['status']}: progress {status['progress']}%")
    if status["status"] != "completed":
        print(f"task error: {status.get('error')}", file=sys.stderr)
        return 1
    entities = sorted({entity["type"] for entity in status["result"]["entities"]})
    print(f"entities found: {', '.join(entities)}")

    # Its events: every task.progress_update went to the user's channel and into the user's
    # stream, which EVENTS.replay reads (a WebSocket on /ws/events?since=... does the same).
    kept = rpc_call("EVENTS.replay", [user_id], {"limit": 100}, user_id=user_id, auto_idempotency=False)
    progress = [event for event in kept["events"] if event.get("job_id") == task_id]
    steps = [event["payload"]["current_step"] for event in progress]
    print(f"events: {len(progress)} task.progress_update, steps {' > '.join(steps)}")

    # Replay: a client that saw only the first event asks for what came after it.
    first_id = progress[0]["id"]
    missed = rpc_call("EVENTS.replay", [user_id], {"since_id": first_id}, user_id=user_id, auto_idempotency=False)
    print(f"replay since {first_id}: {len(missed['events'])} events, has_more={missed['has_more']}")

    try:
        rpc_call("TASK.get_task_status", ["doc_analysis_no-such-task"], user_id=user_id)
    except RpcError as error:
        print(f"unknown task: {error.code} (HTTP {error.status})")

    ended = rpc_call("REGISTRY.unregister_session", [session_id], user_id=user_id)
    print(f"logged out: success={ended['success']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
