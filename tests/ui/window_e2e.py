#!/usr/bin/env python3
"""The real QNStudio window under an X server (Xvfb), driven as a user drives it: keys
typed and menus opened with synthesized X input (xdotool, through the XTEST extension), on
a fresh store and a fresh home folder. Each task is timed and printed.

1. First start at 1366x768: the window fits the screen, a screenshot is taken.
2. Launch and watch a run (Ctrl+R) until it is done.
3. The store shared while the window holds it open: the File dialog opened and cancelled
   (the locks in /proc/locks before and after), an outside `sqlite3` reading the store,
   then a run queued and finished; every run intact, the database sound.
4. Export the best run's compressed model through File > Selected runs > Export (the menu,
   listing each format with its size, is screenshot): the file is the run's stored
   checkpoint, byte for byte.
5. Compare: the Compare view with a baseline, through the View menu.
6. Cancel a run (Ctrl+.): the run ends cancelled.
7. Quit mid-run (Ctrl+Q, "Leave queued"): the run is stored interrupted, not cancelled;
   started again, the window offers to resume and the run trains again (its second
   start); quitting once more with "Cancel runs" cancels it. No run lost or duplicated.

Usage: window_e2e.py --qnstudio build/bin/qnstudio --out DIR
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

SCREEN = "1366x768"
TINY = {
    "task": "fashion-mnist", "device": "cpu",
    "data": {"train_limit": 512, "eval_limit": 1000},
    "model": {"arch": "convnet", "width": 8, "hidden": 32},
    "train": {"max_steps": 40, "batch_size": 32, "lr": 0.002},
    "quant": {"method": "int", "bits": 4},
    "noise": {"mode": "quant-noise", "p": 0.5},
}


class Failure(Exception):
    pass


def wait_for(what, predicate, timeout=120.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")


class Session:
    """One X server, one home folder, the store, and the qnstudio process while it runs."""

    def __init__(self, qnstudio, out):
        self.qnstudio = qnstudio
        self.out = Path(out)
        self.home = Path(tempfile.mkdtemp(prefix="qnstudio-e2e-home-"))
        self.store = self.out / "e2e.sqlite"
        self.xvfb = None
        self.app = None
        self.env = dict(os.environ)

    # --- the X server and the application ---------------------------------------------
    def start_x(self):
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN + "x24", "-nolisten", "tcp"],
            pass_fds=[write], stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as display:
            number = display.readline().strip()
        if not number:
            raise Failure("Xvfb did not start")
        self.use_detail_view_in_file_dialogs()
        self.env.update({
            "DISPLAY": ":" + number, "HOME": str(self.home), "QT_QPA_PLATFORM": "xcb",
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_RUNTIME_DIR": str(self.home), "OMP_NUM_THREADS": "1",
        })

    def use_detail_view_in_file_dialogs(self):
        """Qt's file dialog as many users leave it: the detail view, whose Type column asks
        the MIME database, which reads a file whose name it does not know (a .sqlite) to
        sniff its type: another descriptor of the store opened and closed in the window's
        process."""
        config = self.home / ".config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "QtProject.conf").write_text("[FileDialog]\nviewMode=Detail\n")

    def launch(self, *arguments):
        self.app = subprocess.Popen([self.qnstudio, "--db", str(self.store), *arguments],
                                    env=self.env, stdout=subprocess.DEVNULL,
                                    stderr=open(self.out / "qnstudio.log", "a"))
        self.window = wait_for("the QNStudio window", lambda: self.find_window("QNStudio - "))
        self.focus(self.window)

    def stop(self):
        if self.app and self.app.poll() is None:
            self.app.kill()
            self.app.wait()
        if self.xvfb:
            self.xvfb.kill()
            self.xvfb.wait()
        shutil.rmtree(self.home, ignore_errors=True)

    # --- synthesized input -------------------------------------------------------------
    def xdotool(self, *arguments):
        result = subprocess.run(["xdotool", *arguments], env=self.env, capture_output=True,
                                text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    def find_window(self, name):
        found = self.xdotool("search", "--onlyvisible", "--name", name)
        return found.split()[0] if found else ""

    def focus(self, window):
        self.xdotool("windowfocus", "--sync", window)
        time.sleep(0.3)

    def keys(self, *names):
        for name in names:
            self.xdotool("key", "--clearmodifiers", name)
            time.sleep(0.25)

    def type_text(self, text):
        self.xdotool("type", "--delay", "20", text)

    def screenshot(self, name, window=None):
        """The screen, or one window (a dialog: taken from the screen, it shows black with
        no compositing window manager)."""
        path = self.out / name
        target = ["-id", window] if window else ["-root"]
        xwd = subprocess.run(["xwd", *target, "-silent"], env=self.env, capture_output=True)
        pnm = subprocess.run(["xwdtopnm"], input=xwd.stdout, capture_output=True)
        png = subprocess.run(["pnmtopng"], input=pnm.stdout, capture_output=True)
        path.write_bytes(png.stdout)
        return path

    # --- the store, as an outside reader sees it ----------------------------------------
    def sqlite3_shell(self, sql):
        result = subprocess.run(["sqlite3", str(self.store), sql], capture_output=True, text=True)
        if result.returncode != 0:
            raise Failure(f"sqlite3 failed on the store: {result.stderr.strip()}")
        return result.stdout.strip()

    def runs(self):
        with closing(sqlite3.connect(f"file:{self.store}?mode=ro", uri=True, timeout=30)) as db:
            return db.execute("SELECT id, status FROM runs ORDER BY id").fetchall()

    def status(self, run_id):
        return dict(self.runs()).get(run_id)

    def locks(self):
        """The lock lines of /proc/locks on the store's files (open-file-description locks
        name no process; the window is the only process that keeps the store open)."""
        inodes = {str(path.stat().st_ino) for path in
                  (self.store, Path(str(self.store) + "-shm")) if path.exists()}
        lines = Path("/proc/locks").read_text().splitlines()
        return [line for line in lines if line.split()[5].split(":")[-1] in inodes]

    def timed(self, task, body):
        started = time.monotonic()
        body()
        seconds = time.monotonic() - started
        print(f"[e2e] {task}: {seconds:.1f} s", flush=True)


def run_tasks(session):
    tiny = session.out / "tiny.json"
    tiny.write_text(json.dumps(TINY))
    longer = session.out / "long.json"
    longer.write_text(json.dumps({**TINY, "train": {**TINY["train"], "max_steps": 100000}}))

    def first_start():
        session.launch("--config", str(tiny))
        geometry = session.xdotool("getwindowgeometry", session.window)
        print("[e2e] window:", " ".join(geometry.split()), flush=True)
        width, height = (int(v) for v in geometry.split("Geometry: ")[1].split("x"))
        if width > 1366 or height > 768:
            raise Failure(f"the first window is {width}x{height}, larger than the 1366x768 screen")
        time.sleep(2)
        session.screenshot("first_start_1366x768.png")

    def launch_and_watch():
        session.keys("ctrl+r")
        wait_for("run 1 queued", lambda: session.runs())
        wait_for("run 1 done", lambda: session.status(1) == "done", timeout=300)

    def shared_store():
        before = session.locks()
        if not before:
            raise Failure("the window holds no lock on its store")
        session.keys("ctrl+o")
        dialog = wait_for("the File dialog", lambda: session.find_window("Open a QNStudio store"))
        time.sleep(1.5)  # the dialog lists the folder (the store and its -wal and -shm)
        session.screenshot("file_dialog.png", dialog)
        session.focus(dialog)
        session.keys("Escape")
        wait_for("the File dialog to close", lambda: not session.find_window("Open a QNStudio store"))
        session.focus(session.window)
        after = session.locks()
        (session.out / "proc_locks.txt").write_text(
            "before the File dialog:\n" + "\n".join(before) +
            "\n\nafter it was opened and cancelled:\n" + "\n".join(after) + "\n")
        if len(after) < len(before):
            raise Failure(f"the File dialog dropped the store's locks: {before} -> {after}")
        if session.sqlite3_shell("SELECT count(*) FROM runs") != "1":
            raise Failure("an outside sqlite3 does not see the run")
        if not Path(str(session.store) + "-wal").exists():
            raise Failure("the outside reader deleted the write-ahead log of the open store")
        session.focus(session.window)
        session.keys("ctrl+r")
        wait_for("run 2 done", lambda: session.status(2) == "done", timeout=300)
        if session.sqlite3_shell("PRAGMA integrity_check") != "ok":
            raise Failure("the store is damaged")
        if session.runs() != [(1, "done"), (2, "done")]:
            raise Failure(f"runs after the shared use: {session.runs()}")

    def export_best():
        session.keys("alt+f")
        time.sleep(0.5)
        session.keys("u")  # Selected runs (run 2 is selected: it was just queued)
        time.sleep(0.5)
        menus = session.xdotool("search", "--onlyvisible", "--class", "qnstudio").split()
        session.screenshot("export_menu.png", menus[-1])  # each format with its size
        session.keys("e")  # Export compressed .qnz (size)...
        dialog = wait_for("the export dialog", lambda: session.find_window("Export run 2 as qnz"))
        session.focus(dialog)
        target = session.out / "best.qnz"
        session.keys("ctrl+a")
        session.type_text(str(target))
        session.keys("Return")
        wait_for("the exported file", lambda: target.exists() and target.stat().st_size > 0)
        time.sleep(0.5)
        session.focus(session.window)  # no window manager gives it back when a dialog closes
        with closing(sqlite3.connect(str(session.store), timeout=30)) as db:
            stored = db.execute("SELECT data FROM checkpoints WHERE run_id = 2").fetchone()[0]
        if target.read_bytes() != stored:
            raise Failure("the exported .qnz is not the run's stored checkpoint")

    def compare():
        session.keys("ctrl+3")
        time.sleep(1.5)
        session.screenshot("compare.png")
        session.keys("ctrl+2")
        time.sleep(1)
        session.screenshot("pareto.png")

    def cancel_a_run():
        session.keys("ctrl+q")  # nothing runs: it quits without a question
        wait_for("the window to close", lambda: session.app.poll() is not None, timeout=30)
        session.launch("--config", str(longer))
        session.keys("ctrl+r")  # the new run is selected once queued
        wait_for("run 3 running", lambda: session.status(3) == "running", timeout=120)
        session.keys("ctrl+period")
        wait_for("run 3 cancelled", lambda: session.status(3) == "cancelled", timeout=30)

    def quit_mid_run():
        session.keys("ctrl+r")
        wait_for("run 4 running", lambda: session.status(4) == "running", timeout=120)
        session.keys("ctrl+q")
        question = wait_for("the quit question", lambda: session.find_window("Quit QNStudio"))
        time.sleep(0.5)
        session.screenshot("quit_question.png", question)
        session.focus(question)
        session.keys("alt+l")  # Leave queued
        wait_for("the window to close", lambda: session.app.poll() is not None, timeout=60)
        if session.status(4) != "interrupted":
            raise Failure(f"a run cut off by quitting is {session.status(4)}, not interrupted")
        session.launch("--config", str(tiny))
        time.sleep(4)  # the window offers a moment after the store opens
        session.screenshot("resume_offer.png")

        def resume():
            session.keys("alt+n")  # the banner's "Resume now" (again, if it was not up yet)
            return wait_for("run 4 resumed", lambda: session.status(4) == "running", timeout=3)

        def resumed():
            try:
                return resume()
            except Failure:
                return False
        wait_for("run 4 resumed after Resume now", resumed, timeout=60, interval=0)
        with closing(sqlite3.connect(str(session.store), timeout=30)) as db:
            attempts = db.execute("SELECT attempts FROM runs WHERE id = 4").fetchone()[0]
        if attempts != 2:
            raise Failure(f"run 4 was started {attempts} times, not twice")
        # Quitting again, this time cancelling the runs.
        session.keys("ctrl+q")
        question = wait_for("the quit question", lambda: session.find_window("Quit QNStudio"))
        session.focus(question)
        session.keys("alt+r")  # Cancel runs
        wait_for("the window to close", lambda: session.app.poll() is not None, timeout=60)
        if session.status(4) != "cancelled":
            raise Failure(f"a run cancelled on quitting is {session.status(4)}")
        expected = [(1, "done"), (2, "done"), (3, "cancelled"), (4, "cancelled")]
        if session.runs() != expected:
            raise Failure(f"runs lost or duplicated: {session.runs()}")

    session.timed("first start", first_start)
    session.timed("launch and watch a run", launch_and_watch)
    session.timed("File dialog, outside sqlite3, another run", shared_store)
    session.timed("export the best run", export_best)
    session.timed("compare", compare)
    session.timed("cancel a run", cancel_a_run)
    session.timed("quit mid-run and resume", quit_mid_run)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qnstudio", required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    out = Path(options.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    session = Session(os.path.abspath(options.qnstudio), out)
    try:
        session.start_x()
        run_tasks(session)
    except Failure as failure:
        session.screenshot("failure.png")
        print(f"[e2e] FAILED: {failure}", flush=True)
        return 1
    finally:
        session.stop()
    print("[e2e] all tasks passed; screenshots and /proc/locks in", out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
