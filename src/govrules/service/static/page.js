// The project page of `govrules serve`: a form generated from GET /v1/facts, a POST /v1/evaluate,
// and the report's decisions grouped by status. Plain JavaScript, no build step; every value from
// the server is written with textContent, never as markup.
"use strict";

// Status order and Chinese names as `govrules evaluate` prints them (src/govrules/cli.py).
const STATUSES = [
  ["violated", "违反"], ["overdue", "逾期"], ["pending", "期限未到"], ["applies", "适用"],
  ["satisfied", "满足"], ["unknown", "无法判断"], ["not_applicable", "不适用"],
];

const state = { facts: [], byName: {}, packs: {}, report: null };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function todayInChina() {
  // The law's day is China Standard Time (UTC+8), as the library's default.
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function factInput(fact) {
  const id = `fact-${fact.name}`;
  const wrap = el("div", { class: "fact-row", "data-row": fact.name });
  const unit = fact.unit ? `（${fact.unit}）` : "";
  wrap.append(el("label", { class: "fact", for: id, title: fact.description || "" },
    `${fact.zh}${unit} `, el("span", { class: "en", text: `${fact.en} · ${fact.name}` })));
  let input;
  if (fact.type === "enum" || fact.type === "boolean") {
    input = el("select", { id, "data-fact": fact.name, "data-type": fact.type });
    input.append(el("option", { value: "", text: "（未填 unknown）" }));
    const choices = fact.type === "boolean" ? [{ value: "true", zh: "是" }, { value: "false", zh: "否" }] : fact.values;
    for (const choice of choices) input.append(el("option", { value: choice.value, text: `${choice.zh}（${choice.value}）` }));
  } else if (fact.type === "date") {
    input = el("input", { type: "date", id, "data-fact": fact.name, "data-type": "date" });
  } else {
    const hint = fact.type === "amount" ? "例如 500万元、5,000,000 或 5000000（元）" :
      fact.type === "integer" ? "整数 whole number" : fact.type === "number" ? "数字 number" : "";
    input = el("input", { type: "text", id, "data-fact": fact.name, "data-type": fact.type, placeholder: hint,
      inputmode: fact.type === "text" ? null : (fact.type === "amount" ? "text" : "decimal") });
  }
  wrap.append(input);
  if (fact.act) {
    wrap.append(el("label", { class: "muted" },
      el("input", { type: "checkbox", "data-not-happened": fact.name }), " 未发生 did not take place"));
  }
  wrap.append(el("div", { class: "field-error", id: `error-${fact.name}`, role: "alert" }));
  return wrap;
}

function collectProject() {
  const project = {};
  for (const input of document.querySelectorAll("[data-fact]")) {
    const name = input.dataset.fact;
    const raw = input.value.trim();
    const notHappened = document.querySelector(`[data-not-happened="${name}"]`);
    if (notHappened && notHappened.checked) { project[name] = false; continue; }
    if (raw === "") continue;
    const type = input.dataset.type;
    if (type === "boolean") project[name] = raw === "true";
    else if (type === "integer" && /^-?\d+$/.test(raw)) project[name] = Number(raw);
    else project[name] = raw;  // amounts (500万元), numbers (exact text), dates, enums, text: the server reads them
  }
  return project;
}

function clearErrors() {
  document.getElementById("banner").textContent = "";
  for (const node of document.querySelectorAll(".field-error")) node.textContent = "";
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

function problemText(p) {
  const zh = p.message_zh ? `${p.message_zh} ` : "";
  const hint = p.hint_zh || p.hint;
  return `${zh}${p.message}${hint ? `（${hint}）` : ""}`;
}

function showProblem(body) {
  const banner = document.getElementById("banner");
  const general = [];
  for (const p of body.problems || []) {
    const target = document.getElementById(`error-${p.field}`);
    const input = document.querySelector(`[data-fact="${CSS.escape(p.field || "")}"]`) || document.getElementById(p.field);
    if (target) {
      target.textContent = problemText(p);
      if (input) input.setAttribute("aria-invalid", "true");
    } else {
      general.push(`${p.field || p.file || ""}: ${problemText(p)}`);
    }
  }
  banner.textContent = [`${body.title_zh || ""} ${body.title || ""}`.trim(), body.detail || "", ...general]
    .filter(Boolean).join("\n");
  document.getElementById("summary").textContent = "";
  document.getElementById("decisions").textContent = "";
}

async function packDetail(ref) {
  // by content hash: after a reload (a new version of the pack) the details are fetched again
  const key = `${ref.id} ${ref.content_hash}`;
  if (!state.packs[key]) state.packs[key] = getJSON(`/v1/packs/${encodeURIComponent(ref.id)}`);
  return state.packs[key];
}

function factLabel(name) {
  const fact = state.byName[name];
  return fact ? `${fact.zh}（${name}）` : name;
}

async function renderReport(report) {
  const details = {};
  for (const pack of report.packs) details[pack.id] = await packDetail(pack);
  const summary = document.getElementById("summary");
  summary.textContent = "";
  summary.append(el("p", {},
    `项目 ${report.project.id || ""} ${report.project.name || ""} · 辖区 ${report.jurisdiction} · 评估日期 ${report.as_of}`));
  summary.append(el("p", { class: "muted" }, "规则包 packs: " +
    report.packs.map((p) => `${p.id} ${p.version} ${p.content_hash.slice(0, 19)}…`).join("；")));
  for (const notice of report.notices) summary.append(el("p", { class: "notice" }, `注意：${notice.zh}`));
  summary.append(el("p", { id: "counts" },
    STATUSES.map(([s, zh]) => `${zh} ${s}: ${report.summary[s]}`).join("  ")));

  const container = document.getElementById("decisions");
  container.textContent = "";
  for (const [status, zh] of STATUSES) {
    const group = report.decisions.filter((d) => d.status === status);
    if (!group.length) continue;
    const section = el("section", { class: `status-group status-${status}`, "data-status": status });
    const body = status === "not_applicable" ? el("details", {}, el("summary", { text: "展开 show" })) : section;
    section.append(el("h3", {}, `${zh}（${status}）— ${group.length}`));
    for (const d of group) body.append(renderDecision(d, details[d.pack], Object.values(details), report));
    if (body !== section) section.append(body);
    container.append(section);
  }
}

function renderDecision(d, pack, packs, report) {
  // Report format 1 quotes each citation in the decision; format 2 writes each provision once, in
  // report.provisions, and the decision cites it by index. Keys with nothing to say may be absent.
  const citations = d.citations.map((c) => (typeof c === "number" ? report.provisions[c] : c));
  const missing = d.missing || [];
  // a decision may rest on a parameter or reading of another pack of the report (a score it reads)
  const find = (kind, id) => packs.map((p) => p[kind].find((x) => x.id === id)).find(Boolean);
  const article = el("article", { class: "decision", "data-rule": d.rule });
  const ruleAnchor = pack && (pack.rules.find((r) => r.id === d.rule) || {}).anchor;
  article.append(el("h4", {}, `${d.title.zh} `,
    el("a", { href: `/packs/${encodeURIComponent(d.pack)}.html${ruleAnchor ? `#${ruleAnchor}` : ""}` },
      el("code", { text: d.rule }))));
  const list = el("dl");
  if (d.due) list.append(el("dt", { text: "截止" }), el("dd", { class: "due" }, d.due + (d.provisional ? "（暂定）" : "")));
  list.append(el("dt", { text: "说明" }), el("dd", { class: "explanation", text: d.explanation.zh }));
  if (missing.length) {
    list.append(el("dt", { text: "缺少事实" }), el("dd", { class: "missing", text: missing.map(factLabel).join("、") }));
  }
  if (d.local_parameters && d.local_parameters.length) {
    const text = d.local_parameters.map((id) => {
      const p = find("parameters", id);
      return p ? `${p.zh}：${p.display}（本地参数，来源：${p.source}）` : id;
    });
    list.append(el("dt", { text: "本地参数" }), el("dd", { class: "parameters", text: text.join("；") }));
  }
  if (d.readings && d.readings.length) {
    const text = d.readings.map((id) => {
      const r = find("readings", id);
      if (!r) return id;
      const answer = r.answer && r.alternatives[r.answer] ? r.alternatives[r.answer].zh : "不作定论";
      return `${r.question.zh} —— 本规则包的解读：${answer}`;
    });
    list.append(el("dt", { text: "解读" }), el("dd", { class: "readings", text: text.join("；") }));
  }
  article.append(list);
  for (const c of citations) {
    const anchor = pack && pack.anchors[c.label];
    const href = `/packs/${encodeURIComponent(d.pack)}.html${anchor ? `#${anchor}` : ""}`;
    article.append(el("div", { class: "citation" }, el("a", { href }, `${c.document} ${c.label}`)),
      el("blockquote", { text: c.text }));
  }
  return article;
}

async function evaluate(event) {
  event.preventDefault();
  clearErrors();
  const request = {
    project: collectProject(),
    jurisdiction: document.getElementById("jurisdiction").value,
    as_of: document.getElementById("as_of").value || undefined,
  };
  const button = document.getElementById("evaluate");
  button.disabled = true;
  try {
    const response = await fetch("/v1/evaluate", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request),
    });
    const body = await response.json();
    state.report = response.ok ? body : null;
    if (response.ok) await renderReport(body);
    else showProblem(body);
  } catch (error) {
    document.getElementById("banner").textContent = `请求失败 request failed: ${error}`;
  } finally {
    button.disabled = false;
    document.getElementById("result").dataset.done = String(Date.now());
  }
}

async function start() {
  const [jurisdictions, facts] = await Promise.all([getJSON("/v1/jurisdictions"), getJSON("/v1/facts")]);
  const select = document.getElementById("jurisdiction");
  for (const j of jurisdictions.jurisdictions) select.append(el("option", { value: j.id, text: `${j.name}（${j.id}）` }));
  const showPacks = () => {
    const j = jurisdictions.jurisdictions.find((x) => x.id === select.value);
    const line = document.getElementById("jurisdiction-packs");
    line.textContent = "";
    for (const p of (j ? j.packs : [])) {
      line.append(el("a", { href: p.page }, `${p.document} ${p.title}`), ` ${p.version} `);
    }
  };
  select.addEventListener("change", showPacks);
  showPacks();
  document.getElementById("loaded").textContent =
    "已加载 loaded: " + jurisdictions.packs.map((p) => `${p.id} ${p.version}`).join("、");
  document.getElementById("as_of").value = todayInChina();
  state.facts = facts.facts;
  for (const fact of state.facts) state.byName[fact.name] = fact;
  const box = document.getElementById("facts");
  for (const fact of state.facts) box.append(factInput(fact));
  document.getElementById("project-form").addEventListener("submit", evaluate);
  document.body.dataset.ready = "true";
}

start().catch((error) => { document.getElementById("banner").textContent = `加载失败 cannot load: ${error}`; });
