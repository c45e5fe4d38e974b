#!/usr/bin/python3
"""The operator console in a real browser: headless Chromium against sbrgated-sandbox.

The daemon runs on plain-text loopback with its admin port; its simulator
answers every pay event SystemError, so a lodgment gives up as SYSTEM_ERROR
(--max-attempts=1); then the simulator is healed and a second lodgment is
accepted. Driven over the Chrome DevTools Protocol, the console must show the
states the API gives, show one lodgment's timeline, say before a replay
exactly what it will do (send again under a new MessageId), perform it, and
the lodgment then reaches ACCEPTED. Screenshots go to the test's undeclared
outputs (bazel-testlogs/tests/console_test/test.outputs/outputs.zip).

  console_test.py SBRGATED_SANDBOX SBRGATE_CLI
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import websocket

SBRGATED = CLI = None
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def http(url, data=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def read(path):
    with open(path) as f:
        return f.read()


def wait_for(what, check, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Browser:
    """One headless Chromium page, driven over its DevTools websocket."""

    def __init__(self, work):
        profile = os.path.join(work, "chromium")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(profile, "DevToolsActivePort")
        port = wait_for("Chromium's DevTools port",
                        lambda: os.path.exists(port_file) and read(port_file).split("\n")[0])
        pages = wait_for("a page", lambda: [t for t in http_get_json(
            f"http://127.0.0.1:{port}/json/list") if t["type"] == "page"])
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url):
        # Marked stale first: a hash route renders without a new document.
        same = self.eval("document.body && (document.body.dataset.loading = 'stale') && "
                         "location.href") == url
        if same:
            self.call("Page.reload")  # the same URL again navigates nowhere
        else:
            self.call("Page.navigate", url=url)
        self.settle()

    def settle(self):
        wait_for("the page to load",
                 lambda: self.eval("document.readyState === 'complete' && "
                                   "document.body && document.body.dataset.loading === 'false'"))

    def screenshot(self, name):
        out = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR", tempfile.gettempdir())
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(out, name), "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)


def http_get_json(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as res:
            return json.loads(res.read())
    except OSError:
        return []


class ConsoleTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        ready = os.path.join(self.work, "ready")
        self.daemon_log = open(os.path.join(self.work, "daemon.log"), "w")
        self.daemon = subprocess.Popen(
            [SBRGATED, "--embedded-sim", f"--data-dir={self.work}/data", "--instance-id=console",
             "--grpc-listen=127.0.0.1:0", "--grpc-insecure-loopback", "--admin-listen=127.0.0.1:0",
             "--time-scale=600", "--sim-processing-base=30s", "--sim-processing-per-employee=0s",
             "--max-attempts=1", f"--comms-permissions={self.permissions()}",
             f"--sim-seed-clntcomm={self.corpus()}", f"--ready-file={ready}"],
            stdout=subprocess.DEVNULL, stderr=self.daemon_log)
        line = wait_for("the daemon", lambda: os.path.exists(ready) and read(ready))
        self.ready = json.loads(line)
        self.admin = self.ready["admin"]
        self.browser = None

    def permissions(self):
        path = os.path.join(self.work, "permissions.csv")
        with open(path, "w") as f:
            f.write("51824753556,alice,Client.Corro.View\n")
        return path

    def corpus(self):
        path = os.path.join(self.work, "clntcomm.json")
        with open(path, "w") as f:
            json.dump([{"agent_abn": "51824753556", "ran": "12345678",
                        "client": {"type": "TFN", "value": "123456782"}, "name": "Alex Citizen",
                        "count": 5, "seed": 7, "level": "client", "from": "2024-01-01"}], f)
        return path

    def tearDown(self):
        if self.browser:
            self.browser.close()
        self.daemon.terminate()
        self.daemon.wait(timeout=20)
        self.daemon_log.close()

    def cli(self, *args):
        out = subprocess.run([CLI, f"--gateway={self.ready['grpc']}", *args, "--json"],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    def lodge(self, seed):
        path = os.path.join(self.work, f"pay-{seed}.xml")
        subprocess.run([CLI, "payevnt", "generate", "--employees", "3", "--seed", str(seed),
                        "-o", path], check=True, capture_output=True)
        return self.cli("lodge", path)["lodgment_id"]

    def state(self, lodgment_id):
        return http(f"{self.admin}/api/lodgments/{lodgment_id}")["state"]

    def test_states_timeline_and_a_replay_through_the_page(self):
        http(f"{self.ready['sim_admin']}/admin/faults", b'{"system_error_rate": 1}')
        failed = self.lodge(4101)
        wait_for("SYSTEM_ERROR", lambda: self.state(failed) == "SYSTEM_ERROR")
        http(f"{self.ready['sim_admin']}/admin/faults", b'{"system_error_rate": 0}')
        accepted = self.lodge(4102)
        wait_for("ACCEPTED", lambda: self.state(accepted) == "ACCEPTED")

        self.browser = Browser(self.work)
        b = self.browser
        # The list shows each lodgment in the state the API gives.
        b.open(f"{self.admin}/console/#/lodgments")
        b.screenshot("lodgments.png")
        for l in http(f"{self.admin}/api/lodgments")["lodgments"]:
            shown = b.eval(f"document.querySelector('tr[data-lodgment=\"{l['lodgmentId']}\"] "
                           f"[data-state]').dataset.state")
            self.assertEqual(shown, l["state"], l["lodgmentId"])
        self.assertEqual(b.eval("document.querySelectorAll('tr[data-lodgment]').length"), 2)
        # Filtered by state.
        b.open(f"{self.admin}/console/#/lodgments?state=SYSTEM_ERROR")
        self.assertEqual(b.eval("[...document.querySelectorAll('tr[data-lodgment]')]"
                                ".map(r => r.dataset.lodgment)"), [failed])

        # One lodgment: its timeline, then a replay confirmed in the page.
        b.open(f"{self.admin}/console/#/lodgment/{failed}")
        self.assertIn("SYSTEM_ERROR", b.eval("document.querySelector('h2').textContent"))
        self.assertGreaterEqual(b.eval("document.querySelectorAll('tr[data-event=poll]').length"), 1)
        b.eval("document.getElementById('replay').click()")
        wait_for("the confirmation", lambda: b.eval("document.getElementById('confirm').open"))
        text = b.eval("document.getElementById('confirm-text').textContent")
        self.assertIn("sent to SBR again as a new attempt, under a new MessageId", text)
        b.screenshot("replay-confirmation.png")
        self.assertEqual(self.state(failed), "SYSTEM_ERROR")  # the preview did nothing
        b.eval("document.getElementById('confirm-ok').click()")
        wait_for("the replay's outcome",
                 lambda: "RESENT" in (b.eval("document.getElementById('replay-result')"
                                             ".textContent") or ""))
        wait_for("the replayed lodgment's acceptance", lambda: self.state(failed) == "ACCEPTED")
        b.open(f"{self.admin}/console/#/lodgment/{failed}")
        self.assertIn("ACCEPTED", b.eval("document.querySelector('h2').textContent"))
        b.screenshot("lodgment-after-replay.png")
        audit = [json.loads(l) for l in read(os.path.join(self.work, "data", "audit.log")).splitlines()]
        self.assertEqual([a["action"] for a in audit if a["action"].startswith("replay")],
                         ["replay-preview", "replay"])

        # The poll queue: a lodgment SBR is slow to answer waits there, with its
        # band and the time of its next poll.
        http(f"{self.ready['sim_admin']}/admin/faults", b'{"slow_factor": 100000}')
        waiting = self.lodge(4103)
        wait_for("AWAITING_RESPONSE", lambda: self.state(waiting) == "AWAITING_RESPONSE")
        b.open(f"{self.admin}/console/#/pollqueue")
        row = f"tr[data-queued=\"{waiting}\"]"
        self.assertTrue(b.eval(f"document.querySelector('{row}') !== null"))
        self.assertIn("first poll 1m after the receipt, then 1m later, then every 5m (3 employees)",
                      b.eval(f"document.querySelector('{row}').textContent"))
        self.assertRegex(b.eval(f"document.querySelector('{row} [data-next-poll]').textContent"),
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
        b.screenshot("poll-queue.png")

        # A practice's bulk list waits for the ATO's window; the console shows
        # the job and when its window opens.
        job = self.cli("comms", "list", "--abn=51824753556", "--ran=12345678", "--user=alice",
                       "--bulk", "--client=TFN:123456782", "--from=2024-01-01",
                       "--to=2024-01-31", "--channel=mygov")
        b.open(f"{self.admin}/console/#/jobs")
        row = f"tr[data-job=\"{job['job_id']}\"]"
        self.assertTrue(b.eval(f"document.querySelector('{row}') !== null"))
        self.assertIn(b.eval(f"document.querySelector('{row} [data-state]').dataset.state"),
                      ["SCHEDULED", "RUNNING", "DONE"])
        self.assertNotEqual(b.eval(f"document.querySelector('{row} [data-window]').textContent"), "")
        self.assertNotIn("123456782", b.eval("document.body.textContent"))  # no TFN shown
        b.screenshot("jobs.png")

        # Dead letters (none) and live metrics, no early poll.
        b.open(f"{self.admin}/console/#/deadletters")
        self.assertEqual(b.eval("document.querySelectorAll('tr[data-dead-letter]').length"), 0)
        b.open(f"{self.admin}/console/#/metrics")
        metrics = b.eval("document.querySelector('[data-testid=metrics]').textContent")
        self.assertIn('sbrgate_polls_total{timing="early"} 0', metrics)
        self.assertIn('sbrgate_lodgments{state="ACCEPTED"} 2', metrics)
        b.screenshot("metrics.png")

        # A lodgment with more records awaiting a fix than a page: the page
        # shows the first thousand and says how to list the rest.
        path = os.path.join(self.work, "pay-many-held.xml")
        subprocess.run([CLI, "payevnt", "generate", "--employees", "1100", "--invalid", "1001",
                        "--seed", "4104", "-o", path], check=True, capture_output=True)
        many = self.cli("lodge", path)["lodgment_id"]
        shown = http(f"{self.admin}/api/lodgments/{many}")
        self.assertEqual(int(shown["heldBackTotal"]), 1001)
        self.assertEqual(len(shown["heldBack"]), 100)
        b.open(f"{self.admin}/console/#/lodgment/{many}")
        wait_for("the rejected records", lambda: b.eval(
            "document.querySelector('[data-testid=rejected-more]') !== null"))
        self.assertIn("--page-token=1000",
                      b.eval("document.querySelector('[data-testid=rejected-more]').textContent"))


if __name__ == "__main__":
    SBRGATED, CLI = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1])
