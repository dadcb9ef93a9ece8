#!/usr/bin/env python3
"""Reference implementation of the MCP Lifeguard lock-file protocol, version 1 (Python 3.8+, stdlib only).

Spec: docs/lock-protocol.md. Use it as a module (acquire / release / holder_state) or a command:

    lockproto.py hold --dir DIR --name NAME --key KEY   acquire, print one JSON line, hold until killed or stdin closes
    lockproto.py try  --dir DIR --name NAME --key KEY   acquire once and release; exit 0 acquired, 1 held, 2 error
    lockproto.py show --dir DIR --name NAME --key KEY   print the newest record's state as JSON
"""
import argparse, datetime, errno, hashlib, json, os, re, secrets, stat, subprocess, sys, time

UNREADABLE_GRACE_S = 2.0
TOLERANCE_MS = 1000
RECORD_RE = re.compile(r"^([1-9][0-9]{0,14})\.json$")
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class LockError(Exception):
    pass


def default_lock_dir():
    home = os.environ.get("MCP_LIFEGUARD_HOME")
    if home:
        return os.path.join(os.path.abspath(home), "locks")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return os.path.join(base, "MCP Lifeguard", "locks")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Application Support/MCP Lifeguard/locks")
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(state, "mcp-lifeguard", "locks")


SECRET_NAME = re.compile(r"(token|secret|passw(or)?d|pass(phrase)?|pwd?|api[-_]?key|auth\w*|credential|cookie|session|private[-_]?key)$", re.I)


def mask(text):
    """Records are readable by anyone on the account: the usual credential shapes are masked.
    `--token X` is masked by mask_argv; here `Name: value` headers, `name=value` pairs (also inside
    `k=v;k=v` strings), `Bearer X` and URL user info."""
    header = re.match(r"^([A-Za-z][\w-]*):\s*\S", text)
    if header and SECRET_NAME.search(header.group(1)):
        return header.group(1) + ": <redacted>"
    text = re.sub(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}", r"\1 <redacted>", text, flags=re.I)
    text = re.sub(r"([A-Za-z][\w.-]*)=([^;&\s]+)", lambda m: m.group(1) + "=<redacted>" if SECRET_NAME.search(m.group(1)) else m.group(0), text)
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^@/?#\s]*@", r"\1<redacted>@", text, flags=re.I)


def mask_argv(argv):
    flag = lambda a: re.match(r"^--?[A-Za-z][\w-]*$", a) and SECRET_NAME.search(a.lstrip("-"))
    return ["<redacted>" if i and flag(argv[i - 1]) else mask(a) for i, a in enumerate(argv)]


def mask_key(key):
    """The default key is a JSON array (masked as argv); an explicit one is masked as text."""
    try:
        parts = json.loads(key)
        if isinstance(parts, list) and all(isinstance(p, str) for p in parts):
            masked = mask_argv(parts)
            return key if masked == parts else json.dumps(masked, separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        pass
    return mask(key)


def default_resource_key(cwd, command, args):
    """The resource a server writes to when none is named: its resolved cwd, command and args."""
    return json.dumps([cwd, command] + list(args), separators=(",", ":"), ensure_ascii=False)


def lock_path(lock_dir, name, key):
    digest = hashlib.sha256((name + "\0" + key).encode("utf-8")).hexdigest()[:16]
    slug = re.sub(r"[^a-z0-9._-]+", "-", "".join(c.lower() if "A" <= c <= "Z" else c for c in name))
    slug = slug[:32].lstrip(".") or "server"
    return os.path.join(lock_dir, "%s-%s.lock" % (slug, digest))


def ensure_lock_dir(lock_dir):
    os.makedirs(os.path.dirname(lock_dir), mode=0o700, exist_ok=True)
    try:
        os.mkdir(lock_dir, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(lock_dir)  # never stat(): a symlink must be seen, not followed
    if stat.S_ISLNK(st.st_mode):
        raise LockError("lock directory %s is a symbolic link; refusing to follow it" % lock_dir)
    if not stat.S_ISDIR(st.st_mode):
        raise LockError("lock directory %s is not a directory" % lock_dir)
    if os.name == "posix" and st.st_uid != os.getuid():
        raise LockError("lock directory %s is owned by uid %d, not by this user" % (lock_dir, st.st_uid))
    if os.name == "posix" and st.st_mode & 0o022:
        raise LockError("lock directory %s is writable by group or others (mode %03o)" % (lock_dir, st.st_mode & 0o777))


def linux_identity(pid):
    """Linux: {"bootId", "startTicks"}, which wall-clock steps do not move; None if no such process, 'Z' for a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()  # the command name may contain ') '
    except (FileNotFoundError, ProcessLookupError):
        return None
    if fields[0] in ("Z", "X"):
        return "Z"
    with open("/proc/sys/kernel/random/boot_id") as f:
        return {"bootId": f.read().strip(), "startTicks": int(fields[19])}


def start_time(pid):
    """Process start time in ms since the epoch (None: no such process; 0: unknown on this OS); 'Z' for a zombie."""
    if sys.platform.startswith("linux"):
        ident = linux_identity(pid)
        if ident is None or ident == "Z":
            return ident
        with open("/proc/stat") as f:
            btime = int(re.search(r"^btime\s+(\d+)$", f.read(), re.M).group(1))
        return btime * 1000 + ident["startTicks"] * 1000 // os.sysconf("SC_CLK_TCK")
    if sys.platform == "darwin" or "bsd" in sys.platform:
        out = subprocess.run(["ps", "-o", "stat=,lstart=", "-p", str(pid)], capture_output=True, text=True,
                             env=dict(os.environ, LC_ALL="C")).stdout.strip()
        if not out:
            return None
        state, lstart = out.split(None, 1)
        if state.startswith("Z"):
            return "Z"
        return int(time.mktime(time.strptime(lstart.strip(), "%a %b %d %H:%M:%S %Y")) * 1000)
    return 0


def judge(record):
    """None when the holder is live, else why it is dead."""
    pid = record["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "pid %d is gone" % pid
    except PermissionError:
        pass  # EPERM: alive, owned by another user
    started = start_time(pid)
    if started is None:
        return "pid %d is gone" % pid
    if started == "Z":
        return "pid %d has exited (a zombie not yet reaped by its parent)" % pid
    theirs = record.get("linux")
    if sys.platform.startswith("linux") and isinstance(theirs, dict) and isinstance(theirs.get("bootId"), str) and isinstance(theirs.get("startTicks"), int):
        mine = linux_identity(pid)
        if mine in (None, "Z"):
            return "pid %d is gone" % pid
        if mine["bootId"] != theirs["bootId"]:
            return "pid %d took the lock before the machine restarted" % pid
        if mine["startTicks"] != theirs["startTicks"]:
            return "pid %d is alive but started at tick %d since boot, not %d: the pid was reused" % (pid, mine["startTicks"], theirs["startTicks"])
        return None
    if started and record["startTime"] and abs(started - record["startTime"]) > TOLERANCE_MS:
        return "pid %d is alive but started at %d, not %d: the pid was reused" % (pid, started, record["startTime"])
    return None


def read_record(path):
    """(kind, value, mtime): ('missing', None, 0) | ('record', dict, mtime) | ('unreadable', reason, mtime); never follows a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except FileNotFoundError:
        return "missing", None, 0
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "unreadable", "is a symbolic link, which is never followed", os.lstat(path).st_mtime
        raise
    with os.fdopen(fd, "rb") as f:
        mtime = os.fstat(f.fileno()).st_mtime
        data = f.read(64 * 1024 + 1)
    try:
        r = json.loads(data.decode("utf-8"))
    except ValueError as e:
        return "unreadable", "the record is not valid JSON (%s)" % e, mtime
    ok = isinstance(r, dict) and all(isinstance(r.get(k), int) and not isinstance(r.get(k), bool) and r[k] > 0 for k in ("protocol", "pid")) \
        and isinstance(r.get("startTime"), (int, float)) and isinstance(r.get("serverName"), str) and isinstance(r.get("resourceKey"), str)
    return ("record", r, mtime) if ok else ("unreadable", "the record lacks a valid protocol, pid, startTime, serverName or resourceKey", mtime)


def numbers(lpath):
    try:
        return sorted(int(m.group(1)) for m in map(RECORD_RE.match, os.listdir(lpath)) if m)
    except FileNotFoundError:
        return []


def write_temp(lpath, record):
    temp = os.path.join(lpath, ".tmp-%d-%s" % (os.getpid(), secrets.token_hex(6)))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2)
    return temp


def acquire(lock_dir, name, key, extra=None):
    """Returns ('acquired', (lock path, n, record), took_over_reason) | ('held', holder record, lock path)."""
    ensure_lock_dir(lock_dir)
    lpath = lock_path(lock_dir, name, key)
    try:
        os.mkdir(lpath, 0o700)
    except FileExistsError:
        pass
    if not stat.S_ISDIR(os.lstat(lpath).st_mode):
        raise LockError("%s is not a directory (a symbolic link is never followed)" % lpath)
    # The lock's path comes from the key as given; the record keeps it, and the command line, masked.
    record = {"protocol": 1, "serverName": name, "resourceKey": mask_key(key), "pid": os.getpid(), "startTime": start_time(os.getpid()),
              "command": mask_argv(sys.argv), "cwd": os.getcwd(), "holder": "lockproto.py",
              "startedAt": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    if sys.platform.startswith("linux"):
        record["linux"] = linux_identity(os.getpid())
    record.update(extra or {})
    for _ in range(200):
        nums = numbers(lpath)
        newest = nums[-1] if nums else 0
        reason = None
        if newest:
            path = os.path.join(lpath, "%d.json" % newest)
            kind, value, mtime = read_record(path)
            if kind == "missing":
                continue  # superseded while we looked
            if kind == "unreadable":
                if time.time() - mtime < UNREADABLE_GRACE_S:
                    raise LockError("%s %s; it was written less than 2 s ago, so it may still be in the making: try again" % (path, value))
                reason = "%s %s" % (path, value)
            elif "releasedAt" not in value:
                reason = judge(value)
                if reason is None:
                    return "held", value, lpath
        mine = newest + 1
        if mine > 999999999999999:  # 15 digits at most, or readers would not see the record
            raise LockError("%s: record numbers are used up; remove the directory if no server holds it" % lpath)
        temp = write_temp(lpath, record)
        try:
            os.link(temp, os.path.join(lpath, "%d.json" % mine))  # atomic, exclusive: exactly one contender wins
        except FileExistsError:
            continue
        finally:
            os.unlink(temp)
        if numbers(lpath)[-1] > mine:  # a slow contender re-created an old number: the newer one wins
            try:
                os.unlink(os.path.join(lpath, "%d.json" % mine))
            except FileNotFoundError:
                pass
            continue
        for entry in os.listdir(lpath):  # housekeeping: superseded records, temp files of crashed writers
            m, path = RECORD_RE.match(entry), os.path.join(lpath, entry)
            try:
                if (m and int(m.group(1)) < mine) or (entry.startswith(".tmp-") and time.time() - os.lstat(path).st_mtime > 60):
                    os.unlink(path)
            except FileNotFoundError:
                pass
        return "acquired", (lpath, mine, record), reason
    raise LockError("%s: the lock kept changing hands; giving up" % lpath)


def release(held):
    """Marks our record released (never deletes it: the newest record must never go away)."""
    lpath, n, record = held
    if numbers(lpath)[-1:] != [n]:
        return  # someone judged us dead and took over
    temp = write_temp(lpath, dict(record, releasedAt=datetime.datetime.now(datetime.timezone.utc).isoformat()))
    os.rename(temp, os.path.join(lpath, "%d.json" % n))


def holder_state(lock_dir, name, key):
    lpath = lock_path(lock_dir, name, key)
    while True:
        nums = numbers(lpath)
        if not nums:
            return {"state": "free"}
        path = os.path.join(lpath, "%d.json" % nums[-1])
        kind, value, _ = read_record(path)
        if kind == "missing":
            continue
        if kind == "unreadable":
            return {"state": "unreadable", "reason": "%s %s" % (path, value)}
        if "releasedAt" in value:
            return {"state": "free", "released": value}
        reason = judge(value)
        return {"state": "live", "record": value} if reason is None else {"state": "dead", "record": value, "reason": reason}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["hold", "try", "show"])
    ap.add_argument("--dir", default=default_lock_dir())
    ap.add_argument("--name", required=True)
    ap.add_argument("--key", required=True)
    a = ap.parse_args()
    try:
        if a.action == "show":
            print(json.dumps(holder_state(a.dir, a.name, a.key)))
            return 0
        result = acquire(a.dir, a.name, a.key)
    except (LockError, OSError) as e:
        print(json.dumps({"result": "error", "message": str(e)}), flush=True)
        return 2
    if result[0] == "held":
        print(json.dumps({"result": "held", "holder": result[1], "lockPath": result[2]}), flush=True)
        return 1
    lpath, n, record = result[1]
    print(json.dumps({"result": "acquired", "lockPath": lpath, "number": n, "record": record, "tookOver": result[2]}), flush=True)
    if a.action == "hold":
        sys.stdin.read()  # hold until stdin closes (or a signal ends us)
    release(result[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
