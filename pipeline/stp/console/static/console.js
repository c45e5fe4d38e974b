// The operator console: a page per hash route, each filled from the JSON API
// of the admin port (/api/...), which makes the LodgmentService's gRPC calls.
"use strict";

const STATES = ["RECEIVED", "HELD", "SUBMITTED", "RECEIPTED", "AWAITING_RESPONSE", "ACCEPTED",
  "PARTIALLY_ACCEPTED", "REJECTED", "SYSTEM_ERROR", "ESCALATED", "SUPERSEDED", "REFUSED",
  "NEEDS_ATTENTION"];

const view = document.getElementById("view");

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return e;
}

async function api(path, method = "GET") {
  const res = await fetch(path, { method });
  const body = await res.json();
  if (!res.ok) throw new Error(`${body.code}: ${body.message}`);
  return body;
}

function table(headers, rows) {
  return el("table", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h))), ...rows);
}

function stateBadge(state) {
  return el("span", { class: `state ${state}`, "data-state": state }, state);
}

function showError(e) {
  view.replaceChildren(el("p", { class: "error", "data-testid": "error" }, String(e.message || e)));
}

async function lodgmentsPage(params) {
  const state = params.get("state") || "";
  const abn = params.get("abn") || "";
  const query = new URLSearchParams();
  if (state) query.set("state", state);
  if (abn) query.set("abn", abn);
  const list = await api(`/api/lodgments?${query}`);
  const counts = {};
  for (const l of list.lodgments) counts[l.state] = (counts[l.state] || 0) + 1;
  const stateSelect = el("select", { id: "state-filter" }, el("option", { value: "" }, "any state"),
    ...STATES.map((s) => el("option", s === state ? { value: s, selected: "" } : { value: s }, s)));
  const abnInput = el("input", { id: "abn-filter", placeholder: "employer ABN or WPN", value: abn });
  const apply = () => {
    const q = new URLSearchParams();
    if (stateSelect.value) q.set("state", stateSelect.value);
    if (abnInput.value) q.set("abn", abnInput.value);
    location.hash = `#/lodgments?${q}`;
  };
  view.replaceChildren(
    el("h2", {}, "Lodgments"),
    el("div", { class: "filters" }, stateSelect, abnInput, el("button", { onclick: apply }, "Search")),
    el("p", { class: "counts", "data-testid": "counts" },
      ...Object.entries(counts).map(([s, n]) => el("span", {}, stateBadge(s), ` ${n}`))),
    table(["Lodgment", "Employer (ABN)", "Employees", "State", "Detail", "Updated"],
      list.lodgments.map((l) => el("tr", { "data-lodgment": l.lodgmentId },
        el("td", {}, el("a", { href: `#/lodgment/${l.lodgmentId}` }, l.lodgmentId)),
        el("td", {}, l.abn || l.wpn), el("td", {}, String(l.employees)), el("td", {}, stateBadge(l.state)),
        el("td", {}, l.detail), el("td", {}, l.updatedAt || "")))));
}

async function replay(id) {
  // What would happen first, in the daemon's own words; then, confirmed, the replay.
  const preview = await api(`/api/replay?lodgment_id=${encodeURIComponent(id)}&dry_run=true`, "POST");
  const outcome = preview.outcomes[0];
  const what = {
    RESENT: "It will be sent to SBR again as a new attempt, under a new MessageId.",
    POLLING: "Its response will be polled for again, under its receipted MessageId.",
    REDRIVEN: "Its dead letters will be sent back to their stage.",
    NOTHING_TO_DO: "Nothing will be done.",
  }[outcome.action];
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-title").textContent = `Replay ${id}?`;
  document.getElementById("confirm-text").textContent = `${what} (${outcome.reason})`;
  document.getElementById("confirm-ok").disabled = outcome.action === "NOTHING_TO_DO";
  dialog.returnValue = "";
  dialog.showModal();
  await new Promise((resolve) => dialog.addEventListener("close", resolve, { once: true }));
  if (dialog.returnValue !== "ok") return;
  const done = await api(`/api/replay?lodgment_id=${encodeURIComponent(id)}`, "POST");
  document.getElementById("replay-result").textContent =
    `replay: ${done.outcomes[0].action} (${done.outcomes[0].reason})`;
  await lodgmentPage(id);
}

async function lodgmentPage(id) {
  const l = await api(`/api/lodgments/${encodeURIComponent(id)}`);
  const timeline = [["created", l.createdAt, "received by sbrgate"]];
  if (l.receipt && l.receipt.receivedAt) {
    timeline.push(["receipt", l.receipt.receivedAt, `${l.receipt.receiptMessageId} for ${l.receipt.messageId}`]);
  }
  for (const p of l.polls) timeline.push(["poll", p.at, p.result]);
  timeline.push(["now", l.updatedAt, `${l.state}: ${l.detail}`]);
  const rejected = await api(`/api/lodgments/${encodeURIComponent(id)}/rejected`);
  const existing = document.getElementById("replay-result");
  const previous = existing ? existing.textContent : "";
  view.replaceChildren(
    el("h2", {}, "Lodgment ", el("code", {}, l.lodgmentId), " ", stateBadge(l.state)),
    el("dl", {},
      el("dt", {}, l.abn ? "Employer (ABN)" : "Employer (WPN)"), el("dd", {}, l.abn || l.wpn),
      el("dt", {}, "Kind"), el("dd", {}, l.kind),
      el("dt", {}, "Employees"), el("dd", {}, `${l.employees} (${l.employeesSent} sent)`),
      el("dt", {}, "MessageId"), el("dd", {}, l.messageId),
      el("dt", {}, "Attempts"), el("dd", {}, String(l.attempts))),
    el("button", { id: "replay", onclick: () => replay(id).catch(showError) }, "Replay…"),
    el("p", { id: "replay-result", "data-testid": "replay-result" }, previous),
    el("h3", {}, "Timeline"),
    table(["What", "When", ""], timeline.map(([what, at, note]) =>
      el("tr", { "data-event": what }, el("td", {}, what), el("td", {}, at || ""), el("td", {}, note)))),
    el("h3", {}, "Rejected and held-back records awaiting a fix"),
    table(["Document", "Payroll id", "Family name", "TFN", "Errors"],
      rejected.records.map((r) => el("tr", {},
        el("td", {}, r.problem.documentId), el("td", {}, r.problem.payrollId),
        el("td", {}, r.problem.familyName), el("td", {}, r.problem.tfnMasked),
        el("td", {}, r.problem.errors.map((e) => `${e.code} ${e.description}`).join("; "))))),
    rejected.nextPageToken
      ? el("p", { "data-testid": "rejected-more" },
          `The first ${rejected.records.length}; the rest: sbrgate rejections --lodgment=${id} ` +
          `--page-token=${rejected.nextPageToken}`)
      : "");
}

async function pollQueuePage() {
  const queue = await api("/api/poll-queue");
  view.replaceChildren(el("h2", {}, "Poll queue"),
    el("p", {}, "Lodgments awaiting their response, the next to be polled first. " +
      "The ATO's schedule (its band, by employees sent) says when each may be polled; " +
      "never earlier."),
    table(["Lodgment", "Employer (ABN)", "Polls done", "Next poll (UTC)", "Why then"],
      queue.lodgments.map((q) => el("tr", { "data-queued": q.lodgmentId },
        el("td", {}, el("a", { href: `#/lodgment/${q.lodgmentId}` }, q.lodgmentId)),
        el("td", {}, q.abn), el("td", {}, String(q.pollsDone)),
        el("td", { "data-next-poll": "" }, q.nextPollAt), el("td", {}, q.band)))));
}

async function deadLettersPage() {
  const list = await api("/api/deadletters");
  const redrive = (id) => api(`/api/deadletters/${encodeURIComponent(id)}/redrive`, "POST")
    .then(deadLettersPage).catch(showError);
  view.replaceChildren(el("h2", {}, "Dead letters"),
    table(["Id", "Stage", "Lodgment", "Error", "Attempts", "At", ""],
      list.deadLetters.map((d) => el("tr", { "data-dead-letter": d.id },
        el("td", {}, d.id), el("td", {}, d.stage), el("td", {}, d.lodgmentId),
        el("td", {}, `${d.errorCode}: ${d.error}`), el("td", {}, String(d.attempts)),
        el("td", {}, d.at || ""),
        el("td", {}, d.redriven ? "redriven" : el("button", { onclick: () => redrive(d.id) }, "Redrive"))))));
}

async function jobsPage() {
  const list = await api("/api/jobs");
  view.replaceChildren(el("h2", {}, "Client-communication jobs"),
    el("p", {}, "Bulk retrievals wait for the ATO's reasonable-use window before they run."),
    table(["Job", "Kind", "Practice (ABN)", "State", "Window opens", "Created", "Finished",
      "Listed", "Documents", "From store", "Failed", "Detail"],
      list.jobs.map((j) => el("tr", { "data-job": j.jobId },
        el("td", {}, j.jobId), el("td", {}, j.kind), el("td", {}, j.agent ? j.agent.agentAbn : ""),
        el("td", {}, el("span", { class: "state", "data-state": j.state }, j.state)),
        el("td", { "data-window": "" }, j.notBefore || ""), el("td", {}, j.createdAt || ""),
        el("td", {}, j.finishedAt || ""), el("td", {}, String(j.itemCount)),
        el("td", {}, String(j.documentCount)), el("td", {}, String(j.servedFromStore)),
        el("td", {}, String(j.failedDocuments)), el("td", {}, j.detail)))));
}

async function metricsPage() {
  const text = await (await fetch("/metrics")).text();
  const lines = text.split("\n").filter((l) => l.startsWith("sbrgate_") && !l.includes("_bucket"));
  view.replaceChildren(el("h2", {}, "Metrics"), el("pre", { "data-testid": "metrics" }, lines.join("\n")));
}

async function route() {
  const [path, query] = (location.hash.slice(1) || "/lodgments").split("?");
  const params = new URLSearchParams(query || "");
  const page = path.split("/")[1];
  for (const a of document.querySelectorAll("nav a")) {
    a.classList.toggle("current", a.dataset.nav === page || (page === "lodgment" && a.dataset.nav === "lodgments"));
  }
  document.body.dataset.loading = "true";
  try {
    if (page === "lodgment") await lodgmentPage(decodeURIComponent(path.split("/")[2]));
    else if (page === "deadletters") await deadLettersPage();
    else if (page === "pollqueue") await pollQueuePage();
    else if (page === "jobs") await jobsPage();
    else if (page === "metrics") await metricsPage();
    else await lodgmentsPage(params);
  } catch (e) {
    showError(e);
  }
  document.body.dataset.loading = "false";
}

window.addEventListener("hashchange", route);
route();
