// web/app.mjs: the page. Boots the kernel in v86 (web/machine.mjs) with the
// chosen command line and RAM, shows COM1 in an xterm.js terminal (and as
// plain text in #serial), the VGA screen, and live panels drawn from the
// machine's physical memory (web/memory.mjs): the page directory and a page
// table as 32x32 grids, the area lists as bars, the slab classes.
//
// Panels are redrawn a few times a second while the kernel runs, shortly
// after the kernel writes to the serial port (so a monitor command's effect
// shows at once), and once more when the run ends.

import { V86 } from "./libv86.mjs";
import { Terminal } from "./xterm.mjs";
import { bootKernel, describeExit, EXIT_SUCCESS } from "./machine.mjs";
import {
  ENTRIES, KernelMemory, PAGE, PTE_PRESENT, PTE_USER, PTE_WRITABLE, entryFlags, entryFrame, hex,
} from "./memory.mjs";

const REFRESH_MS = 250;
const AFTER_OUTPUT_MS = 60;
const $ = (id) => document.getElementById(id);

// --- the files a boot needs, fetched once ---------------------------------

async function fetchBuffer(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}
const filesReady = Promise.all([
  fetchBuffer("bios/bios.bin"), fetchBuffer("bios/vgabios.bin"), fetchBuffer("kernel.elf"),
  fetch("kernel-symbols.json").then((r) => r.json()),
]).then(([bios, vgaBios, kernel, symbols]) => ({ bios, vgaBios, kernel, symbols }));

// --- the console -------------------------------------------------------------

const terminal = new Terminal({
  cols: 116, rows: 28, convertEol: true, scrollback: 5000, fontSize: 12,
  fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
  theme: { background: "#0d1117", foreground: "#d1d7e0", cursor: "#7ee787" },
});
terminal.open($("terminal"));
let pendingSerial = "";
let serialFlush = 0;
function serialOutput(ch) {
  pendingSerial += ch;
  if (!serialFlush) serialFlush = setTimeout(flushSerial, 16);
  scheduleRefresh(AFTER_OUTPUT_MS);
}
function flushSerial() {
  serialFlush = 0;
  terminal.write(pendingSerial);
  $("serial").append(pendingSerial);
  pendingSerial = "";
}

// --- booting ------------------------------------------------------------------

let machine = null;
let memory = null;
let refreshTimer = 0;
let bootCount = 0;

function setStatus(text, state) {
  $("status").textContent = text;
  $("status").dataset.state = state;
}

async function boot(event) {
  event?.preventDefault();
  let files;
  try {
    files = await filesReady;
  } catch (error) {
    setStatus(`could not load the kernel, the BIOS or the symbols: ${error.message}`, "failed");
    return;
  }
  if (machine) machine.stop();
  clearInterval(refreshTimer);
  flushSerial();
  terminal.reset();
  $("serial").textContent = "";
  selected.pde = selected.pte = null;
  const cmdline = $("cmdline").value.trim();
  const memoryMiB = Number($("memory").value);
  const run = ++bootCount;
  const started = performance.now();
  const current = bootKernel(V86, {
    files, wasmPath: "v86.wasm", cmdline, memoryMiB, screen: $("screen"), onSerial: serialOutput,
  });
  machine = current;
  memory = new KernelMemory(current.readPhysical, files.symbols, { cr0: current.cr0, cr3: current.cr3 });
  setStatus(`running: "${cmdline}" with ${memoryMiB} MiB`, "running");
  $("boot").textContent = "Reboot";
  refreshTimer = setInterval(() => scheduleRefresh(0), REFRESH_MS);
  const exit = await current.exited;
  if (run !== bootCount) return;
  clearInterval(refreshTimer);
  flushSerial();
  refresh();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  setStatus(`${describeExit(exit)} after ${seconds} s: "${cmdline}" with ${memoryMiB} MiB`, exit.code === EXIT_SUCCESS ? "passed" : "failed");
}

$("boot-form").addEventListener("submit", boot);
$("preset").addEventListener("change", () => { $("cmdline").value = $("preset").value; });
$("cmdline").addEventListener("input", () => {
  const typed = $("cmdline").value.trim();
  $("preset").value = [...$("preset").options].some((o) => o.value === typed && !o.hidden) ? typed : "custom";
});
terminal.onData((data) => machine?.sendSerial(data));

// --- panels ---------------------------------------------------------------------

// At most one refresh per REFRESH_MS: serial output asks for one soon, unless one just ran.
let refreshSoon = 0;
let lastRefresh = 0;
function scheduleRefresh(ms) {
  if (refreshSoon) return;
  const wait = Math.max(ms, lastRefresh + REFRESH_MS - performance.now());
  refreshSoon = setTimeout(() => { refreshSoon = 0; refresh(); }, wait);
}

const selected = { pde: null, pte: null };

function makeGrid(grid, onPick) {
  for (let i = 0; i < ENTRIES; i++) {
    const cell = document.createElement("span");
    cell.className = "cell";
    cell.dataset.index = i;
    grid.append(cell);
  }
  grid.addEventListener("click", (event) => {
    const index = event.target.dataset?.index;
    if (index !== undefined) onPick(Number(index));
  });
}
makeGrid($("directory"), (i) => { selected.pde = i; selected.pte = null; refresh(); });
makeGrid($("table"), (i) => { if (selected.pde !== null) { selected.pte = i; refresh(); } });

/** Colours and tooltips of one grid: `kind(i, entry)` names the class. */
function paintGrid(grid, entries, kind, title, chosen) {
  const cells = grid.children;
  for (let i = 0; i < ENTRIES; i++) {
    const entry = entries ? entries[i] : 0;
    const name = "cell " + (entries ? kind(i, entry) : "") + (i === chosen ? " selected" : "");
    if (cells[i].className !== name) cells[i].className = name;
    const text = entries ? title(i, entry) : "";
    if (cells[i].title !== text) cells[i].title = text;
  }
}

function describeEntry(entry) {
  return entry & PTE_PRESENT ? `${hex(entry)}: frame ${hex(entryFrame(entry))}, ${entryFlags(entry).join(", ")}` : `${hex(entry)}: not present`;
}

function refresh() {
  if (!memory) return;
  lastRefresh = performance.now();
  memory.forget();
  try {
    refreshPaging();
    refreshAreas();
    refreshSlabs();
  } catch (error) {
    $("cpu").textContent = `could not read the machine: ${error.message}`;
  }
}

function refreshPaging() {
  const directory = memory.directoryFrame();
  if (!directory) {
    $("cpu").textContent = `paging off (CR0 ${hex(machine.cr0())})`;
    paintGrid($("directory"), null);
    paintGrid($("table"), null);
    $("table-info").textContent = $("page-info").textContent = "";
    return;
  }
  const identityEnd = memory.global("kernel/mm/regions/identityEnd");
  const { MIRROR_INDEX } = memory.constants;
  $("cpu").textContent = `CR0 ${hex(machine.cr0())} (PG on) · CR3 ${hex(machine.cr3())}: directory at frame ${hex(directory)}`;
  const pdes = memory.table(directory);
  paintGrid($("directory"), pdes,
    (i, e) => !(e & PTE_PRESENT) ? "" : i === MIRROR_INDEX ? "mirror" : (i << 22) >>> 0 < identityEnd ? "identity" : "mapped",
    (i, e) => `PDE ${i}: ${hex(i * 4 << 20 >>> 0)}-${hex(((i + 1) * 4 << 20) - 1 >>> 0)}\n${describeEntry(e)}${i === MIRROR_INDEX ? "\nthe mirror: points at the directory itself" : ""}`,
    selected.pde);

  if (selected.pde === null) {
    paintGrid($("table"), null);
    $("table-info").textContent = "Click a directory entry to open its page table. Entry 1023 (outlined) is the mirror.";
    $("page-info").textContent = "";
    return;
  }
  const i = selected.pde;
  const pde = pdes[i];
  const base = (i << 22) >>> 0;
  $("table-caption").innerHTML = `page table of PDE ${i} <small>${hex(base)}-${hex(base + (4 << 20) - 1)}, 4 KiB a page; click one</small>`;
  if (!(pde & PTE_PRESENT)) {
    paintGrid($("table"), null);
    $("table-info").textContent = `PDE ${i} is not present: no page table, nothing mapped in ${hex(base)}-${hex(base + (4 << 20) - 1)}.`;
    $("page-info").textContent = "";
    return;
  }
  const frame = entryFrame(pde);
  const mirror = frame === directory;
  $("table-info").textContent = `PDE ${i} = ${describeEntry(pde)}. Its page table is at frame ${hex(frame)}` +
    (mirror ? ` = CR3: the page directory itself. Through this entry the directory's 1024 entries are read as PTEs, so every page table appears at ${hex(base)} + 4 KiB × its PDE number and the directory at ${hex(base + 1023 * PAGE)}.` : ".");
  $("table-info").dataset.frame = hex(frame);
  $("table-info").dataset.mirror = mirror;
  const ptes = memory.table(frame);
  paintGrid($("table"), ptes,
    (j, e) => {
      if (!(e & PTE_PRESENT)) return "";
      const va = (base + j * PAGE) >>> 0;
      if (entryFrame(e) === directory) return "mirror";
      if (entryFrame(e) !== va) return "mapped";
      return e & PTE_WRITABLE ? "identity" : "identity read-only";
    },
    (j, e) => `${hex(base + j * PAGE >>> 0)}: PTE ${j}\n${describeEntry(e)}`,
    selected.pte);

  if (selected.pte === null) {
    $("page-info").textContent = "Click a page to see its frame and flags.";
    return;
  }
  const j = selected.pte;
  const pte = ptes[j];
  const va = (base + j * PAGE) >>> 0;
  if (!(pte & PTE_PRESENT)) {
    $("page-info").textContent = `page ${hex(va)} (PDE ${i}, PTE ${j}): PTE ${hex(pte)}, not present: an access faults.`;
    return;
  }
  const rights = pde & pte;   // the stricter of PDE and PTE (SDM vol. 3, 4.6)
  const what = entryFrame(pte) === directory ? " (the page directory)" : entryFrame(pte) === va ? " (identity: virtual = physical)" : "";
  $("page-info").textContent = `page ${hex(va)} (PDE ${i}, PTE ${j}) → frame ${hex(entryFrame(pte))}${what}. PTE ${hex(pte)}: ${entryFlags(pte).join(", ")}. ` +
    `The CPU allows: ${rights & PTE_WRITABLE ? "read and write" : "read only"}, ${rights & PTE_USER ? "user and supervisor" : "supervisor only"}.`;
  $("page-info").dataset.frame = hex(entryFrame(pte));
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const size = (bytes) => bytes >= 1 << 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 1 << 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;

const BAR_COLOURS = { free: "#26313d", used: "#3fb27f", slab: "#b07ce8" };

/** Draws the areas over [from, to) on a canvas bar; an area narrower than a pixel still gets one. */
function paintBar(bar, from, to, areas) {
  const g = bar.getContext("2d");
  const scale = bar.width / (to - from);
  g.fillStyle = BAR_COLOURS.free;
  g.fillRect(0, 0, bar.width, bar.height);
  for (const a of areas) {
    const start = Math.max(a.start, from);
    const end = Math.min(a.start + a.pages * PAGE, to);
    if (end <= start || a.kind === "free") continue;
    g.fillStyle = BAR_COLOURS[a.kind];
    g.fillRect(Math.floor((start - from) * scale), 0, Math.max(1, Math.round((end - start) * scale)), bar.height);
  }
  const used = areas.filter((a) => a.kind !== "free");
  bar.title = `${hex(from)}-${hex(to - 1)}: ${plural(used.length, "used area")} drawn` +
    used.slice(0, 8).map((a) => `\n${hex(a.start)}  ${plural(a.pages, "page")}${a.kind === "slab" ? " (slab)" : ""}`).join("") +
    (used.length > 8 ? "\n..." : "");
}

function refreshAreas() {
  const a = memory.areas();
  if (!a.top) {
    $("areas-summary").textContent = "not set up yet";
    return;
  }
  $("areas-summary").textContent = `${plural(a.usedAreas, "used area")} (${plural(a.usedPages, "page")}), ` +
    `${plural(a.freeAreas, "free area")} (${plural(a.freePages, "page")})`;
  const all = [
    ...a.used.map((r) => ({ ...r, kind: r.slab ? "slab" : "used" })),
    ...a.free.map((r) => ({ ...r, kind: "free" })),
  ];
  paintBar($("areas-whole"), a.base, a.top, all);
  $("areas-whole-from").textContent = hex(a.base);
  $("areas-whole-to").textContent = hex(a.top);
  // The low end: up to a quarter more than the highest used page, at least 64 pages.
  const highest = Math.max(a.base, ...a.used.map((r) => r.start + r.pages * PAGE));
  const lowTo = Math.min(a.top, a.base + Math.max(64 * PAGE, Math.ceil(((highest - a.base) * 1.25) / PAGE) * PAGE));
  paintBar($("areas-low"), a.base, lowTo, all);
  $("areas-low-from").textContent = hex(a.base);
  $("areas-low-to").textContent = `${hex(lowTo)} (${size(lowTo - a.base)})`;
}

function refreshSlabs() {
  const rows = memory.slabs();
  const body = $("slabs").tBodies[0];
  if (rows.length === 0) {
    body.replaceChildren();
    $("slabs-summary").textContent = "not set up yet";
    return;
  }
  const blocks = rows.reduce((n, r) => n + r.inUse, 0);
  $("slabs-summary").textContent = `${plural(blocks, "block")} in use over ${plural(rows.reduce((n, r) => n + r.pages, 0), "page")}`;
  if (body.rows.length !== rows.length) {
    body.replaceChildren(...rows.map(() => {
      const tr = document.createElement("tr");
      tr.innerHTML = `<td class="name"></td><td class="size"></td><td class="in-use"></td><td class="free"></td><td class="slabs"></td><td class="pages"></td><td class="fill"><span class="meter"><span></span></span></td>`;
      return tr;
    }));
  }
  rows.forEach((r, i) => {
    const tr = body.rows[i];
    tr.dataset.size = r.size;
    tr.dataset.class = r.name;
    const set = (cls, text) => { const td = tr.querySelector("." + cls); if (td.textContent !== text) td.textContent = text; };
    set("name", r.name);
    set("size", `${r.size} B`);
    set("in-use", String(r.inUse));
    set("free", String(r.free));
    set("slabs", String(r.slabs));
    set("pages", String(r.pages));
    const total = r.inUse + r.free;
    tr.querySelector(".meter > span").style.width = `${total ? (r.inUse / total) * 100 : 0}%`;
    tr.querySelector(".meter").title = total ? `${r.inUse} of ${total} blocks in use (${Math.round((r.inUse / total) * 100)}%)` : "no slab";
  });
}

