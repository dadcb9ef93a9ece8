"""A contender process for the lock race tests, speaking the Python reference implementation.

Same messages as contender.ts, as JSON lines: stdin gets {"type": "race", "round", "at"} and
{"type": "release"}; stdout answers "ready", "result" and "released".
Usage: py_contender.py LOCKPROTO_DIR LOCK_DIR SERVER_NAME RESOURCE_KEY
"""
import json, os, sys, time

sys.path.insert(0, sys.argv[1])
import lockproto  # noqa: E402

lock_dir, name, key = sys.argv[2:5]
held = None


def say(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


say({"type": "ready", "pid": os.getpid()})
for line in sys.stdin:  # ends when the parent closes our stdin
    msg = json.loads(line)
    if msg["type"] == "race":
        wait = msg["at"] / 1000.0 - time.time()
        if wait > 0:
            time.sleep(wait)
        base = {"type": "result", "round": msg["round"], "pid": os.getpid()}
        try:
            result = lockproto.acquire(lock_dir, name, key)
        except Exception as e:  # reported to the test, which fails on any error
            say(dict(base, kind="error", message="%s: %s" % (type(e).__name__, e)))
            continue
        if result[0] == "acquired":
            held = result[1]
            say(dict(base, kind="acquired", takeoverReason=result[2]))
        else:
            say(dict(base, kind="held", holder=result[1]["pid"]))
    elif msg["type"] == "release":
        if held:
            lockproto.release(held)
        held = None
        say({"type": "released", "pid": os.getpid()})
